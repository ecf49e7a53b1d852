"""Typed settings of one server process; the CLI fills them from flags and VERSTAS_* variables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SqliteSynchronous = Literal["FULL", "NORMAL"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./verstas.db"


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = DEFAULT_DATABASE_URL
    # FULL: a commit survives power loss and OS crashes, not only a killed process.
    sqlite_synchronous: SqliteSynchronous = "FULL"
    max_message_bytes: int = 2 * 1024 * 1024
    log_level: str = "info"
