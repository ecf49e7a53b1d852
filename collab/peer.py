"""A connection as rooms see it, and how their messages become its frames."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from collab.errors import CloseCode

Frame = bytes | tuple[bytes, ...]
"""A frame whole, or in parts that go out one after another without being joined: a frame
that carries a whole state of megabytes is sent as its header and the state's own bytes
(see collab.endpoint.binary_frame)."""


class Peer(Protocol):
    """A connection as the room sees it: it takes ready-made frames and can be closed."""

    @property
    def label(self) -> str:
        """Who this is, for logs (address and connection number)."""
        ...

    def send(self, frame: Frame) -> None:
        """Queue a frame; must not block or raise if the peer is gone."""

    def send_frames(self, frames: Sequence[Frame]) -> None:
        """Queue several frames, in order, at once (as `send` for each)."""

    def buffered(self) -> int:
        """Bytes queued for the peer that the network has not taken yet (0 once gone)."""
        ...

    def close(self, code: CloseCode, reason: str) -> None:
        """Start closing; idempotent."""


class Framer(Protocol):
    """Wraps a y-protocols message into the transport's frame, once per broadcast. The message
    may come in parts (`collab.protocol.encode_parts`), which a big frame keeps apart."""

    def __call__(self, *parts: bytes) -> Frame: ...
