"""What a room has logged since its latest checkpoint, kept as it logs."""

from __future__ import annotations

import time

from documents.checkpoints import LogTail


class TailCounter:
    """Entries and bytes logged since the latest checkpoint, and when the last one was."""

    __slots__ = ("_bytes", "_entries", "_last")

    def __init__(self, loaded: LogTail) -> None:
        self._entries = loaded.entries
        self._bytes = loaded.bytes
        self._last = time.monotonic() - loaded.idle_seconds

    def logged(self, update: bytes) -> None:
        self._last = time.monotonic()
        self._entries += 1
        self._bytes += len(update)

    def reaches(self, entries: int, size: int) -> bool:
        return self._entries >= entries or self._bytes >= size

    def now(self) -> LogTail:
        return LogTail(self._entries, self._bytes, time.monotonic() - self._last)

    def checkpointed(self, before: LogTail) -> None:
        """A checkpoint was written from the state whose tail was `before`; what was logged
        since stays counted."""
        self._entries -= before.entries
        self._bytes -= before.bytes
