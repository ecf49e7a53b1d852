"""The store contract every database backend fulfils.

The update log is the source of truth: every update a peer sent is appended (with a checksum)
and committed before anyone else may see it. Checkpoints are compaction only: a checkpoint at
log position P holds the full document state after every entry of that document up to P, and
the entries it covers are kept (versions and fork points are rebuilt from them later).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from documents.store.lineage import SqlLineage
    from documents.store.sessions import SessionStore
    from documents.store.workshops import SqlWorkshops


@dataclass(frozen=True, slots=True)
class PendingUpdate:
    """An update accepted from a peer, waiting for the group commit."""

    document: str
    update: bytes


LogEntry = tuple[int, bytes]
"""One committed update, (position, update); positions grow monotonically across the whole log.

A plain tuple, not a record type: a load can return ten thousand entries, and the garbage
collector never looks at a tuple of an int and bytes again after its first pass, while it keeps
every instance of a class of ours. Those instances reached the oldest generation during a load
and set off full collections: with a dataclass here, reading a 10k-entry tail took a median
of 31 ms and a p95 of 105 ms; with tuples, 20 and 30 ms (tests/bench/lineage_bench.py)."""


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """What loading a document needs: the latest checkpoint and the log tail after it."""

    name: str
    checkpoint: bytes | None = None
    checkpoint_position: int = 0
    tail: list[LogEntry] = field(default_factory=list)

    @property
    def last_position(self) -> int:
        """The log position the loaded state stands for (0 for a document never written)."""
        return self.tail[-1][0] if self.tail else self.checkpoint_position


class CorruptLogEntry(Exception):
    """A stored update whose checksum does not match: loading must stop, never skip it."""

    def __init__(self, document: str, position: int) -> None:
        super().__init__(f"log entry {position} of document {document!r} fails its checksum")
        self.document = document
        self.position = position


class Store(Protocol):
    """Six operations on the log, plus the workshop repository over the same database."""

    @property
    def workshops(self) -> SqlWorkshops:
        """Workshops and share links, in the same database as the log."""
        ...

    @property
    def lineage(self) -> SqlLineage:
        """Versions and the fork graph, in the same database as the log."""
        ...

    @property
    def sessions(self) -> SessionStore:
        """Live Innopaja sessions, their notes and votes, in the same database as the log."""
        ...

    async def open(self) -> None:
        """Connect, refusing a database whose schema is not at this Verstas' head revision."""

    async def close(self) -> None:
        """Release connections; pending work must already be committed by the caller."""

    async def ping(self) -> None:
        """Raise if the database cannot be reached (readiness)."""

    async def append(self, updates: Sequence[PendingUpdate]) -> list[int]:
        """Append the updates in order in ONE transaction and commit it before returning.

        Returns the log position of each update, in the same order. If it raises, none of the
        updates is stored.
        """

    async def load(self, document: str, *, upto: int | None = None) -> StoredDocument:
        """The latest checkpoint of the document and every log entry after it, in order;
        with `upto`, only what was logged up to that position (the document as it stood then).

        Raises CorruptLogEntry if a tail entry fails its checksum.
        """

    async def entries_after(self, document: str, position: int) -> list[LogEntry]:
        """The document's log entries past `position`, in order (a catch-up read).

        Every entry up to the last one returned is included, also when several processes
        append to the document and commit their positions out of order (as `load` without
        `upto` does: a loaded document stands for every entry up to its last position).
        Raises CorruptLogEntry if an entry fails its checksum.
        """

    async def save_checkpoint(self, document: str, state: bytes, position: int) -> None:
        """Record the full state of the document as of log position `position`."""
