"""Which field paths a Yjs update touches, against an index of the document it is applied to.

Locks refuse updates that touch a locked text. pycrdt cannot say where an update's items go,
so `DocumentIndex` keeps, for every item id range of the document, its place: the container it
is in (a root's name, or the id of the type item holding it) and its map key. An item written
with an origin carries no parent: it belongs where its origin (else its right origin) does, key
included, as yjs reads it (`Item.getMissing`). A place's path is its map keys from a root joined
by "/", as `documents.workshop_doc.text_at` names texts: a character of the text at
`matrix/client.actors` is at "matrix/client.actors", a component's order at
"model/components/{id}/order", the component itself at "model/components/{id}".

An update touches the paths of what it inserts and of what it deletes. Deleting a map or a text
also changes everything under its path (clients list those items too, but a client cannot list
what another added there meanwhile), so a touched path stands for everything under it, and
`covered` matches in both directions.

The index follows yjs integration closely enough to be exact where it matters: structs the
document already has are skipped, structs whose dependencies are missing wait (pending) for the
update that brings them, items whose neighbour was garbage collected or whose container is
deleted change nothing, and deleting what is already deleted changes nothing. It errs only
towards touching more: a map value that loses to a concurrent one still touches its key.

Pure: bytes in, paths out, no IO. `plan` says what an update touches without changing the
index; `commit` the plan once the document has applied the update. Every update the document
applies, the server's own included, must be committed (or `add`ed) in order.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Final, NamedTuple, TypeGuard

from collab.intervals import Intervals
from collab.yupdate import DELETED, GC, ID, SKIP, DeleteRange, Struct, Update, decode_update

CONTENT: Final = "content"
MAX_DEPTH: Final = 16
"""Paths stop at this many keys below a root, so hostile nesting stays cheap; a cut path is a
prefix of the true one, which `covered` still matches."""


def covered(path: str, target: str) -> bool:
    """Whether a change at `path` changes something under the lock `target`: the whole document
    ("content"), or a path that is the same, inside it, or around it (replacing a component
    replaces its texts)."""
    return (
        target == CONTENT
        or path == target
        or path.startswith(target + "/")
        or target.startswith(path + "/")
    )


class Place(NamedTuple):
    """Where an item sits: its container (a root's name, a type item's id, or None for garbage
    collected ranges, which belong nowhere) and its map key; `path` names it."""

    container: str | ID | None
    sub: str | None
    path: str | None
    depth: int


_COLLECTED: Final = Place(None, None, None, 0)


@dataclass(slots=True)
class _Client:
    """One client's items, contiguous from clock 0: `starts[i]` begins a run in `places[i]`."""

    starts: list[int] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    state: int = 0

    def place(self, clock: int) -> Place:
        return self.places[bisect_right(self.starts, clock) - 1]

    def append(self, start: int, end: int, place: Place) -> None:
        if not self.places or self.places[-1] is not place:
            self.starts.append(start)
            self.places.append(place)
        self.state = end

    def runs(self, start: int, end: int) -> list[Place]:
        """The places of the runs overlapping [start, end)."""
        first = bisect_right(self.starts, start) - 1
        last = bisect_right(self.starts, end - 1)
        return self.places[first:last]


@dataclass(slots=True)
class _Piece:
    """A struct of the pool being planned, trimmed to the part the index lacks."""

    struct: Struct
    end: int
    own: bool  # from the update planned now, not left pending by an earlier one
    previous: _Piece | None  # the same client's piece just before, which must go in first
    status: int = 0  # _WAITING, _VISITING, _IN or _BLOCKED
    place: Place = _COLLECTED
    dead: bool = False  # comes in deleted: holds nothing alive
    shown: bool = False  # may change what the document reads as


_WAITING, _VISITING, _IN, _BLOCKED = range(4)


@dataclass(frozen=True, slots=True)
class Plan:
    """What applying one update does to the index. `touched` is None when the update inserts
    after or deletes items the index does not know (yet): what it touches cannot be told."""

    touched: frozenset[str] | None
    generation: int
    pieces: list[_Piece]
    places: dict[tuple[str | ID, str | None], Place]
    deletes: list[DeleteRange]
    pending: list[Struct]
    pending_deletes: list[DeleteRange]


class DocumentIndex:
    """The place of every item of one document, and which of them are deleted."""

    __slots__ = ("_clients", "_deleted", "_generation", "_pending", "_pending_deletes", "_places")

    def __init__(self) -> None:
        self._clients: dict[int, _Client] = {}
        self._deleted: dict[int, Intervals] = {}
        self._places: dict[tuple[str | ID, str | None], Place] = {}
        self._pending: list[Struct] = []
        self._pending_deletes: list[DeleteRange] = []
        self._generation = 0

    @classmethod
    def from_state(cls, state: bytes) -> DocumentIndex:
        """The index of a document whose whole encoded state (`doc.get_update()`) is `state`."""
        index = cls()
        index.add(state)
        return index

    def plan(self, update: bytes) -> Plan:
        """What `update` would touch, without changing the index (ProtocolError if malformed).

        Structs left pending by earlier updates take part: those this update unblocks count
        as its own changes, since applying it is what brings them in."""
        return _Planner(self, decode_update(update)).plan()

    def commit(self, plan: Plan) -> None:
        """Record a plan's update as applied; the plan must be the latest one made."""
        if plan.generation != self._generation:
            raise ValueError("the index changed since this plan was made")
        self._places.update(plan.places)
        for piece in plan.pieces:
            struct = piece.struct
            client = self._clients.get(struct.client)
            if client is None:
                client = self._clients[struct.client] = _Client()
            client.append(struct.clock, piece.end, piece.place)
            if piece.dead:
                self._delete(struct.client, struct.clock, piece.end)
        for client_id, clock, length in plan.deletes:
            self._delete(client_id, clock, clock + length)
        self._pending = plan.pending
        self._pending_deletes = plan.pending_deletes
        self._generation += 1

    def add(self, update: bytes) -> None:
        """Record an update the document applied without asking what it touches."""
        self.commit(self.plan(update))

    def paths_of(self, update: bytes) -> set[str]:
        """Where the items of an update sit that this document already holds, inserted or
        deleted by it: what an update the document has applied changed. Items the index does
        not know, and collected ones, have no path (ProtocolError if malformed)."""
        decoded = decode_update(update)
        ranges = [(s.client, s.clock, s.length) for s in decoded.structs]
        ranges += [(d.client, d.clock, d.length) for d in decoded.deletes]
        paths: set[str] = set()
        for client_id, clock, length in ranges:
            client = self._clients.get(client_id)
            if client is None or length <= 0 or clock >= client.state:
                continue
            for place in client.runs(clock, min(clock + length, client.state)):
                if place.path is not None:
                    paths.add(place.path)
        return paths

    def _state(self, client_id: int) -> int:
        client = self._clients.get(client_id)
        return 0 if client is None else client.state

    def _gone(self, item: ID) -> bool:
        """Whether a known item is deleted or collected."""
        deleted = self._deleted.get(item[0])
        if deleted is not None and deleted.contains(item[1]):
            return True
        return self._clients[item[0]].place(item[1]) is _COLLECTED

    def _touch_deleted(self, client_id: int, start: int, end: int, touched: set[str]) -> None:
        """Add the paths of the live items in [start, end) of one client."""
        client = self._clients.get(client_id)
        if client is None or start >= client.state:
            return  # items of the plan itself: their insertion is what counts
        end = min(end, client.state)
        deleted = self._deleted.get(client_id)
        for low, high in [(start, end)] if deleted is None else deleted.gaps(start, end):
            for place in client.runs(low, high):
                if place.path is not None:
                    touched.add(place.path)

    def _delete(self, client_id: int, start: int, end: int) -> None:
        deleted = self._deleted.get(client_id)
        if deleted is None:
            deleted = self._deleted[client_id] = Intervals()
        deleted.add(start, end)


class _Planner:
    """One `DocumentIndex.plan`: the pool of structs, how they integrate, what they touch."""

    def __init__(self, index: DocumentIndex, update: Update) -> None:
        self.index = index
        self.update = update
        self.places: dict[tuple[str | ID, str | None], Place] = {}
        self.pieces = self._pieces()
        self.by_client: dict[int, tuple[list[int], list[_Piece]]] = {}
        for piece in self.pieces:
            starts, found = self.by_client.setdefault(piece.struct.client, ([], []))
            starts.append(piece.struct.clock)
            found.append(piece)

    def plan(self) -> Plan:
        index = self.index
        for piece in self.pieces:
            if piece.status == _WAITING:
                self._integrate(piece)
        new = [piece for piece in self.pieces if piece.status == _IN]
        unknown = any(piece.own and piece.status != _IN for piece in self.pieces)
        reached = {piece.struct.client: piece.end for piece in new}
        own_deletes: dict[int, Intervals] = {}
        for client_id, clock, length in self.update.deletes:
            own_deletes.setdefault(client_id, Intervals()).add(clock, clock + length)
        touched: set[str] = set()
        for piece in new:
            # Not collected, nor in a deleted container, nor a sequence item deleted at once.
            path, struct = piece.place.path, piece.struct
            gone = own_deletes.get(struct.client)
            if path is None or not piece.shown:
                continue
            if piece.place.sub is None and gone and gone.covers(struct.clock, piece.end):
                continue
            touched.add(path)
        deletes, pending_deletes = [], []
        for own, ranges in ((False, index._pending_deletes), (True, self.update.deletes)):
            for client_id, clock, length in ranges:
                end = clock + length
                known = reached.get(client_id, index._state(client_id))
                if end > known:
                    unknown = unknown or own
                    start = max(clock, known)
                    pending_deletes.append(DeleteRange(client_id, start, end - start))
                    end = known
                if end > clock:
                    deletes.append(DeleteRange(client_id, clock, end - clock))
                    index._touch_deleted(client_id, clock, end, touched)
        return Plan(
            None if unknown else frozenset(touched),
            index._generation,
            new,
            self.places,
            deletes,
            [piece.struct for piece in self.pieces if piece.status != _IN],
            pending_deletes,
        )

    def _pieces(self) -> list[_Piece]:
        """The pending structs and the update's, by client and clock (an update may name a
        client twice), each trimmed to the part past what the index has; structs after a gap
        wait behind it."""
        pool = [(s, False) for s in self.index._pending] + [(s, True) for s in self.update.structs]
        pool.sort(key=lambda entry: (entry[0].client, entry[0].clock))
        pieces: list[_Piece] = []
        client_id, clock, previous = -1, 0, None
        for struct, own in pool:
            if struct.client != client_id:
                client_id, clock, previous = struct.client, self.index._state(struct.client), None
            end = struct.clock + struct.length
            if end <= clock:
                continue
            if struct.clock < clock:
                struct = _trimmed(struct, clock)
            if struct.ref == SKIP:
                continue
            piece = _Piece(struct, end, own, previous)
            if struct.clock > clock:
                piece.status = _BLOCKED
            pieces.append(piece)
            previous, clock = piece, end
        return pieces

    def _find(self, item: ID) -> _Piece | None:
        """The piece of the pool holding `item`, if any."""
        entry = self.by_client.get(item[0])
        if entry is None:
            return None
        starts, pieces = entry
        position = bisect_right(starts, item[1]) - 1
        if position < 0 or item[1] >= pieces[position].end:
            return None
        return pieces[position]

    def _known(self, item: ID) -> bool:
        return item[1] < self.index._state(item[0])

    def _integrate(self, start: _Piece) -> None:
        """Decide `start` and everything it depends on, depth first without recursion."""
        stack = [start]
        while stack:
            piece = stack[-1]
            if piece.status >= _IN:
                stack.pop()
                continue
            piece.status = _VISITING
            blocker = self._blocker(piece)
            if blocker is None:
                self._settle(piece)
                piece.status = _IN
            elif blocker.status == _WAITING:
                stack.append(blocker)
            else:  # missing, blocked, or a cycle
                piece.status = _BLOCKED

    def _blocker(self, piece: _Piece) -> _Piece | None:
        """What must go in before `piece` and has not (`_MISSING` if nothing has it): the piece
        before it and every item it names."""
        previous = piece.previous
        if previous is not None and previous.status != _IN:
            return previous
        struct = piece.struct
        parent = struct.parent if isinstance(struct.parent, tuple) else None
        for item in (struct.origin, struct.right_origin, parent):
            if item is not None and not self._known(item) and not _holds(previous, item):
                other = self._find(item)
                if other is None:
                    return _MISSING
                if other.status != _IN:
                    return other
        return None

    def _settle(self, piece: _Piece) -> None:
        """Give an integrable piece its place, and say whether it comes in dead or shown."""
        struct = piece.struct
        if struct.ref == GC:
            return
        previous = piece.previous
        anchors = [
            previous.place if _holds(previous, i) else self._place_of(i)  # typing: fast path
            for i in (struct.origin, struct.right_origin)
            if i
        ]
        if any(anchor is _COLLECTED for anchor in anchors):
            return  # yjs collects an item whose neighbour was collected
        if anchors:
            place = anchors[0]
        elif isinstance(struct.parent, str):
            place = self._place(struct.parent, struct.parent_sub, struct.parent, 0)
        else:
            assert struct.parent is not None, "the decoder gives every item an origin or parent"
            holder = self._place_of(struct.parent)
            if holder.path is None:
                return
            place = self._place(struct.parent, struct.parent_sub, holder.path, holder.depth)
        piece.place = place
        container = place.container
        buried = isinstance(container, tuple) and self._gone(container)
        piece.dead = buried or struct.ref == DELETED
        # A deleted map value still displaces the current one when it wins.
        piece.shown = not buried and (struct.ref != DELETED or place.sub is not None)

    def _place_of(self, item: ID) -> Place:
        if self._known(item):
            return self.index._clients[item[0]].place(item[1])
        piece = self._find(item)
        assert piece is not None, "dependencies settle first"
        return piece.place

    def _gone(self, item: ID) -> bool:
        if self._known(item):
            return self.index._gone(item)
        piece = self._find(item)
        assert piece is not None, "a container settles before what it holds"
        return piece.dead or piece.place is _COLLECTED

    def _place(self, container: str | ID, sub: str | None, above: str, depth: int) -> Place:
        key = (container, sub)
        place = self.index._places.get(key) or self.places.get(key)
        if place is None:
            if sub is None or depth >= MAX_DEPTH:
                place = Place(container, sub, above, depth)
            else:
                place = Place(container, sub, f"{above}/{sub}", depth + 1)
            self.places[key] = place
        return place


def _trimmed(struct: Struct, clock: int) -> Struct:
    """The part of `struct` from `clock` on: it follows the part the index has, as yjs slices."""
    length = struct.length - (clock - struct.clock)
    if struct.ref == GC:
        return struct._replace(clock=clock, length=length)
    origin = (struct.client, clock - 1)
    return struct._replace(clock=clock, length=length, origin=origin, parent=None, parent_sub=None)


def _holds(piece: _Piece | None, item: ID) -> TypeGuard[_Piece]:
    """Whether `piece` holds `item` (the piece just before is the usual origin)."""
    return (
        piece is not None
        and item[0] == piece.struct.client
        and piece.struct.clock <= item[1] < piece.end
    )


_MISSING: Final = _Piece(Struct(0, 0, 0, GC, None, None, None, None), 0, False, None, _BLOCKED)
