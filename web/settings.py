"""Typed settings of one server process; the CLI fills them from flags and VERSTAS_* variables."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from collab.limits import Limits

SqliteSynchronous = Literal["FULL", "NORMAL"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./verstas.db"


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = DEFAULT_DATABASE_URL
    # FULL: a commit survives power loss and OS crashes, not only a killed process.
    sqlite_synchronous: SqliteSynchronous = "FULL"
    # Under sustained load a group commit waits this long (seconds) for more updates to join.
    commit_window: float = 0.002
    limits: Limits = field(default_factory=Limits)
    # Origins browsers may also open sockets and post the front page's form from, besides the
    # server's own.
    allowed_origins: frozenset[str] = frozenset()
    # Serve any valid document name without a workshop, as the bare sync core does.
    open_documents: bool = False
    # Signs share-link tokens; when unset, a key is generated once and kept in the database.
    secret_key: str | None = None
    # A workshop's content gets an automatic version after this many quiet seconds.
    auto_version_after: float = 600.0
    # Several processes serving the same documents exchange updates and awareness here.
    redis_url: str | None = None
    log_level: str = "info"
    # How this process names itself in the admin view; default: host name and port.
    node_id: str | None = None

    def resolved_node_id(self) -> str:
        return self.node_id or f"{socket.gethostname()}:{self.port}"


def parse_limits(assignments: list[str]) -> Limits:
    """`NAME=VALUE` pairs over the defaults, e.g. `max_document_bytes=1048576`."""
    known = {f.name: f.type for f in fields(Limits)}
    changes: dict[str, Any] = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in known:
            raise ValueError(
                f"{assignment!r}: expected NAME=VALUE with NAME one of {', '.join(sorted(known))}"
            )
        try:
            changes[name] = int(value) if known[name] == "int" else float(value)
        except ValueError:
            raise ValueError(f"{assignment!r}: {value!r} is not a number") from None
    return replace(Limits(), **changes)
