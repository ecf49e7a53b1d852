"""A room's side of checkpoints: its log tail, and the one moment a busy room may capture one.

A checkpoint must be the state at a log position. A quiet room's document is that at any time;
a busy room's holds updates still being committed, so its state matches a position only at a
batch boundary that covers every update it applied. A tail past the policy's bounds asks for
a checkpoint at once (not at the next round, which a writer flooding the log would outrun),
and the committer's next such boundary captures it. The write itself is Rooms' (one at a time
per room, since each subtracts the tail it covers).
"""

from __future__ import annotations

from collections.abc import Callable

from collab.log_tail import TailCounter
from documents.checkpoints import CheckpointPolicy, LogTail

Captured = tuple[bytes, LogTail]
"""A state to write as a checkpoint, and the tail it covers."""


class RoomCheckpoints:
    """The tail a room logged since its latest checkpoint, and a checkpoint asked for."""

    __slots__ = ("_capture", "_policy", "_tail", "wanted", "writing")

    def __init__(self, tail: LogTail, policy: CheckpointPolicy) -> None:
        self._tail = TailCounter(tail)
        self._policy = policy
        self.wanted = False  # taken at the next batch boundary covering every applied update
        self.writing = False  # set by Rooms while one is being written
        self._capture: tuple[int, Captured] | None = None

    def logged(self, update: bytes) -> None:
        tail = self._tail
        tail.logged(update)
        if tail.reaches(self._policy.max_entries, self._policy.max_bytes):
            self.wanted = True

    def tail(self) -> LogTail:
        return self._tail.now()

    def checkpointed(self, before: LogTail) -> None:
        """A checkpoint was written from the state whose log tail was `before`."""
        self._tail.checkpointed(before)

    def batch_taken(self, ticket: int, *, complete: bool, state: Callable[[], bytes]) -> None:
        """The committer took a batch ending at `ticket`; `complete` when that is every update
        the room applied and none waits for missing dependencies: the document is then
        exactly the state that commit will make durable."""
        if self.wanted and complete and not self.writing and self._capture is None:
            self.wanted = False
            self._capture = (ticket, (state(), self.tail()))

    def committed(self, ticket: int) -> Captured | None:
        """The capture to write now that the batch ending at `ticket` is durable, if any."""
        capture = self._capture
        if capture is None or capture[0] != ticket:
            return None
        self._capture = None
        return capture[1]
