"""How one update's structs would integrate into an indexed document: the walk behind
`collab.touched.DocumentIndex.plan`, which decides, as yjs integration would, which structs go
in, where each sits, and which wait for dependencies that have not arrived.

Pure, as the index: it reads the index and returns a `Plan`; only `DocumentIndex.commit`
changes anything.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Final, NamedTuple, Protocol, TypeGuard

from collab.intervals import Intervals
from collab.yupdate import DELETED, GC, ID, SKIP, DeleteRange, Struct, Update

MAX_DEPTH: Final = 16
"""Paths stop at this many keys below a root, so hostile nesting stays cheap; a cut path is a
prefix of the true one, which `collab.touched.covered` still matches."""


class Place(NamedTuple):
    """Where an item sits: its container (a root's name, a type item's id, or None for garbage
    collected ranges, which belong nowhere) and its map key; `path` names it."""

    container: str | ID | None
    sub: str | None
    path: str | None
    depth: int


COLLECTED: Final = Place(None, None, None, 0)


@dataclass(slots=True)
class Piece:
    """A struct of the pool being planned, trimmed to the part the index lacks."""

    struct: Struct
    end: int
    own: bool  # from the update planned now, not left pending by an earlier one
    previous: Piece | None  # the same client's piece just before, which must go in first
    status: int = 0  # _WAITING, _VISITING, _IN or _BLOCKED
    place: Place = COLLECTED
    dead: bool = False  # comes in deleted: holds nothing alive
    shown: bool = False  # may change what the document reads as


_WAITING, _VISITING, _IN, _BLOCKED = range(4)


@dataclass(frozen=True, slots=True)
class Plan:
    """What applying one update does to the index. `touched` is None when the update inserts
    after or deletes items the index does not know (yet): what it touches cannot be told."""

    touched: frozenset[str] | None
    generation: int
    pieces: list[Piece]
    places: dict[tuple[str | ID, str | None], Place]
    deletes: list[DeleteRange]
    pending: list[Struct]
    pending_deletes: list[DeleteRange]


class Indexed(Protocol):
    """What the planner reads of the index it plans against (collab.touched.DocumentIndex)."""

    @property
    def pending(self) -> list[Struct]:
        """Structs an earlier update left waiting for their dependencies."""
        ...

    @property
    def pending_deletes(self) -> list[DeleteRange]:
        """Deletions an earlier update left waiting for the items they name."""
        ...

    @property
    def generation(self) -> int:
        """How many plans were committed: a plan is only good for the index it was made on."""
        ...

    def state(self, client_id: int) -> int: ...

    def place(self, item: ID) -> Place: ...

    def known_place(self, key: tuple[str | ID, str | None]) -> Place | None: ...

    def gone(self, item: ID) -> bool: ...

    def touch_deleted(self, client_id: int, start: int, end: int, touched: set[str]) -> None: ...


class Planner:
    """One `DocumentIndex.plan`: the pool of structs, how they integrate, what they touch."""

    def __init__(self, index: Indexed, update: Update) -> None:
        self.index = index
        self.update = update
        self.places: dict[tuple[str | ID, str | None], Place] = {}
        self.pieces = self._pieces()
        self.by_client: dict[int, tuple[list[int], list[Piece]]] = {}
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
        for own, ranges in ((False, index.pending_deletes), (True, self.update.deletes)):
            for client_id, clock, length in ranges:
                end = clock + length
                known = reached.get(client_id, index.state(client_id))
                if end > known:
                    unknown = unknown or own
                    start = max(clock, known)
                    pending_deletes.append(DeleteRange(client_id, start, end - start))
                    end = known
                if end > clock:
                    deletes.append(DeleteRange(client_id, clock, end - clock))
                    index.touch_deleted(client_id, clock, end, touched)
        return Plan(
            None if unknown else frozenset(touched),
            index.generation,
            new,
            self.places,
            deletes,
            [piece.struct for piece in self.pieces if piece.status != _IN],
            pending_deletes,
        )

    def _pieces(self) -> list[Piece]:
        """The pending structs and the update's, by client and clock (an update may name a
        client twice), each trimmed to the part past what the index has; structs after a gap
        wait behind it."""
        pool = [(s, False) for s in self.index.pending] + [(s, True) for s in self.update.structs]
        pool.sort(key=lambda entry: (entry[0].client, entry[0].clock))
        pieces: list[Piece] = []
        client_id, clock, previous = -1, 0, None
        for struct, own in pool:
            if struct.client != client_id:
                client_id, clock, previous = struct.client, self.index.state(struct.client), None
            end = struct.clock + struct.length
            if end <= clock:
                continue
            if struct.clock < clock:
                struct = _trimmed(struct, clock)
            if struct.ref == SKIP:
                continue
            piece = Piece(struct, end, own, previous)
            if struct.clock > clock:
                piece.status = _BLOCKED
            pieces.append(piece)
            previous, clock = piece, end
        return pieces

    def _find(self, item: ID) -> Piece | None:
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
        return item[1] < self.index.state(item[0])

    def _integrate(self, start: Piece) -> None:
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

    def _blocker(self, piece: Piece) -> Piece | None:
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

    def _settle(self, piece: Piece) -> None:
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
        if any(anchor is COLLECTED for anchor in anchors):
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
            return self.index.place(item)
        piece = self._find(item)
        assert piece is not None, "dependencies settle first"
        return piece.place

    def _gone(self, item: ID) -> bool:
        if self._known(item):
            return self.index.gone(item)
        piece = self._find(item)
        assert piece is not None, "a container settles before what it holds"
        return piece.dead or piece.place is COLLECTED

    def _place(self, container: str | ID, sub: str | None, above: str, depth: int) -> Place:
        key = (container, sub)
        place = self.index.known_place(key) or self.places.get(key)
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


def _holds(piece: Piece | None, item: ID) -> TypeGuard[Piece]:
    """Whether `piece` holds `item` (the piece just before is the usual origin)."""
    return (
        piece is not None
        and item[0] == piece.struct.client
        and piece.struct.clock <= item[1] < piece.end
    )


_MISSING: Final = Piece(Struct(0, 0, 0, GC, None, None, None, None), 0, False, None, _BLOCKED)
