"""Who may open which document: the question the endpoint asks before every upgrade.

The answer comes from outside collab (workshops, share links and tokens live in the web
layer); collab only needs its shape. `open_admission` is the core's own rule: any valid name,
read and write, for generic Yjs tools and tests of the sync core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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
