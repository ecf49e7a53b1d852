"""Who may open which document: the question the endpoint asks before every upgrade.

The answer comes from outside collab (workshops, share links and tokens live in the web
layer); collab only needs its shape. `open_admission` is the core's own rule: any valid name,
read and write, for generic Yjs tools and tests of the sync core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Grant:
    """A connection's rights: `role` is stamped into its awareness when it is not None."""

    can_write: bool
    role: str | None = None
    link_id: str | None = None


class Denied(Exception):
    """Refused before the upgrade, with this HTTP status."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Admission(Protocol):
    async def __call__(self, document: str, token: str | None) -> Grant:
        """Grant access to the document or raise Denied."""
        ...


async def open_admission(document: str, token: str | None) -> Grant:
    return Grant(can_write=True)


def origin_allowed(origin: str, host: str | None, allowed: frozenset[str]) -> bool:
    """Whether a browser's `Origin` is one the server takes requests from: one of `allowed`
    (`--allowed-origins`), or the server's own, whose host and port are the request's `Host`.
    The scheme is not compared: behind a proxy that ends TLS the request itself is plain HTTP.
    An opaque origin (`null`, as sandboxed frames and some redirects send) is never its own."""
    if origin in allowed:
        return True
    netloc = urlsplit(origin).netloc
    return bool(netloc) and host is not None and netloc.lower() == host.strip().lower()
