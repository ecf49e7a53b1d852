"""The update log: the contract the collaboration layer stores documents through, and replaying
what it stored into a document.

The update log is the source of truth: every update a peer sent is appended (with a checksum)
and committed before anyone else may see it. Checkpoints are compaction only: a checkpoint at
log position P holds the full document state after every entry of that document up to P, and
the entries it covers are kept (versions and fork points are rebuilt from them later).

This module is all `collab` knows of storage, so it imports no database code: the SQL behind
it is documents.store.sql, chosen by documents.store.factory.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog
from pycrdt import Doc, merge_updates

from documents.checkpoints import CheckpointPolicy, LogTail, should_checkpoint

_log = structlog.get_logger(__name__)


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


class UpdateLog(Protocol):
    """Seven operations: connecting, and six on the log and its checkpoints."""

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


REPLAY_BATCH = 500
"""Log entries applied per transaction when replaying. One transaction per entry pays pycrdt's
commit work 10,000 times for a 10k-entry tail (~45 ms); one transaction for all of them grows
super-linearly (~75 ms); batches of 100 to 1,000 take ~13 ms through `Doc.apply_update`, and
about half that through the binding (`_apply_in_one_transaction`; tests/bench/lineage_bench.py)."""


def replay(stored: StoredDocument) -> Doc[Any]:
    """A document rebuilt from its latest checkpoint and the log after it.

    The stored bytes were validated by applying them before they were logged, and checksums
    were verified by the store, so they are applied as they are. An entry whose dependencies
    lie in a later batch waits, pending, as it would in one transaction.
    """
    doc: Doc[Any] = Doc()
    if stored.checkpoint is not None:
        doc.apply_update(stored.checkpoint)
    tail = stored.tail
    for start in range(0, len(tail), REPLAY_BATCH):
        _apply_in_one_transaction(doc, [update for _, update in tail[start : start + REPLAY_BATCH]])
    return doc


Spawn = Callable[[Coroutine[Any, Any, None]], None]
"""Runs a coroutine on its own, tracked by the caller (which awaits it before it closes)."""


async def snapshot(
    log: UpdateLog, document: str, policy: CheckpointPolicy, *, spawn: Spawn | None = None
) -> tuple[bytes, int]:
    """The document's committed state read from the log, as one update, and the log position
    it stands for; a tail past the policy's bounds is folded into a checkpoint on the way.

    Only a crash leaves such a tail (rooms fold theirs as they go and on unload), and every
    read of the document replays it until a room loads it again: forking a workshop of 10,000
    uncheckpointed edits took ~17-20 ms each time, ~4 ms once folded. A failed write loses
    nothing (the log is the truth) and does not fail the read.

    With `spawn`, the checkpoint is written beside whatever the caller does next with the
    state (a fork writes its rows meanwhile, on another connection) instead of before it is
    returned: nothing needs the checkpoint to read the document, which is as the log says
    until it lands.
    """
    stored = await log.load(document)
    state = replay(stored).get_update()
    position = stored.last_position
    tail = LogTail(len(stored.tail), sum(len(update) for _, update in stored.tail), 0.0)
    if should_checkpoint(policy, tail):
        fold = _fold(log, document, state, position, tail)
        if spawn is None:
            await fold
        else:
            spawn(fold)
    return state, position


async def _fold(log: UpdateLog, document: str, state: bytes, position: int, tail: LogTail) -> None:
    try:
        await log.save_checkpoint(document, state, position)
    except Exception as exc:
        _log.error("checkpoint_failed", document=document, error=repr(exc))
    else:
        _log.info(
            "checkpoint_written",
            document=document,
            position=position,
            entries=tail.entries,
            bytes=len(state),
        )


MERGE_MAX_ENTRIES = 1000
"""The longest tail `unbuilt_state` merges into one update (~4 ms for 1,000 keystrokes). A
longer one is replayed at load: merging grows super-linearly with the number of updates."""


def unbuilt_state(stored: StoredDocument) -> tuple[bytes, bytes | None] | None:
    """The state `replay` would build, without building a document: the checkpoint and the tail
    merged into one update (None if there is none); None when merging would not pay (no
    checkpoint, or a tail longer than MERGE_MAX_ENTRIES).

    What a fresh client needs after a crash left a tail on a big checkpoint is the whole state,
    as soon as possible; the document itself can be built once that answer has left
    (collab.room_document). The tail is not merged onto the checkpoint: that decodes and
    encodes the whole state (~25 ms for 100,000 edits, ~45 in a server just started, which pays
    a page fault for every page it allocates first), while the client can be sent the two
    as they are (see collab.lazy_doc). Merging is equivalent to applying in order: an entry
    whose dependencies are missing stays pending in the merged update as it would in the
    document.
    """
    if stored.checkpoint is None or len(stored.tail) > MERGE_MAX_ENTRIES:
        return None
    updates = [update for _, update in stored.tail]
    if not updates:
        return stored.checkpoint, None
    return stored.checkpoint, updates[0] if len(updates) == 1 else merge_updates(*updates)


def _apply_in_one_transaction(doc: Doc[Any], updates: list[bytes]) -> None:
    """Apply the updates in order, in one transaction, straight through pycrdt's binding.

    `Doc.apply_update` enters and leaves a (nested) transaction in Python around each apply,
    which cost more than the apply itself: half of a 10k-entry replay
    (tests/bench/lineage_bench.py). Inside a transaction of our own, the binding's apply is what
    `Doc.apply_update` ends up calling, with the same checks and effects; the two attributes
    used for it are pycrdt's own (as in its `get_update`), pinned with pycrdt to 0.14.
    """
    with doc.transaction() as transaction:
        binding, handle = doc._doc, transaction._txn
        assert handle is not None  # set on entering the transaction
        for update in updates:
            binding.apply_update(handle, update)
