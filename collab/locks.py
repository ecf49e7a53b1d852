"""Locks on parts of a document, decided by the server: while a lock holds, an update that
touches a locked text is refused, whoever sends it, unless their role may edit through locks.

The web layer sets the locked targets of a document (`CollabHub.set_locks`: here and, through
the bus, on every other node) and says, when a room loads, what they are (its write policy
factory reads them from the database). A target is a field path as the diffs name them: a
cell (`matrix/client.actors`), an item (`model/components/{id}`), a section (`matrix`) or
`content` for the whole document.

Which texts an update touches is read from its bytes (collab.touched): every struct's place,
resolved through an index of the document's items, and every deleted range's. The index is
built from the document's encoded state when a lock first needs it, follows every update the
document takes while locks hold, and is dropped when none do: a document without locks pays
nothing.
"""

from __future__ import annotations

from collab.lazy_doc import LazyDoc
from collab.protocol import ProtocolError
from collab.session import PeerSession, Refuse
from collab.touched import DocumentIndex, covered
from collab.touched_planner import Plan

LOCKED = Refuse("locked", "this part of the document is locked by the facilitator")
UNKNOWN = Refuse("locked", "the update's place cannot be told while a lock holds")


class LockTable:
    """The locked targets of each document this node knows of.

    Each document's changes are counted, so that a room loading its locks from the database
    does not overwrite a newer order that arrived from the bus while it read (`load`)."""

    def __init__(self) -> None:
        self._locks: dict[str, frozenset[str]] = {}
        self._changes: dict[str, int] = {}

    def get(self, document: str) -> frozenset[str]:
        return self._locks.get(document, frozenset())

    def changes(self, document: str) -> int:
        return self._changes.get(document, 0)

    def set(self, document: str, targets: frozenset[str]) -> None:
        self._changes[document] = self.changes(document) + 1
        if targets:
            self._locks[document] = targets
        else:
            self._locks.pop(document, None)

    def load(self, document: str, targets: frozenset[str], changes_before: int) -> None:
        """What the database said, read after `changes(document)` was `changes_before`."""
        if self.changes(document) == changes_before:
            self.set(document, targets)


class LockPolicy:
    """Refuses an update that touches a locked target, unless the writer's role is exempt."""

    def __init__(self, document: str, table: LockTable, exempt: frozenset[str]) -> None:
        self._document = document
        self._table = table
        self._exempt = exempt
        self._index: DocumentIndex | None = None
        # The last update judged and what it does to the index: when the document then takes
        # it, recording it costs no second decoding.
        self._judged: tuple[bytes, Plan] | None = None

    def refusal(self, writer: PeerSession, update: bytes, document: LazyDoc) -> Refuse | None:
        locks = self._table.get(self._document)
        if not locks or writer.role in self._exempt:
            return None
        index = self._index
        if index is None:
            index = self._index = DocumentIndex.from_state(document.encoded())
        try:
            plan = index.plan(update)
        except ProtocolError:
            return UNKNOWN  # pycrdt may still take it; while a lock holds, nothing unread passes
        self._judged = (update, plan)
        if plan.touched is None:
            return UNKNOWN
        if any(covered(path, target) for path in plan.touched for target in locks):
            return LOCKED
        return None

    def applied(self, update: bytes) -> None:
        judged, self._judged = self._judged, None
        index = self._index
        if index is None:
            return
        if not self._table.get(self._document):
            self._index = None  # rebuilt from the state when a lock next needs it
        elif judged is not None and judged[0] is update:
            index.commit(judged[1])
        else:
            try:
                index.add(update)
            except ProtocolError:
                self._index = None  # what the document took is in its state: rebuild from that
