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
applies, the server's own included, must be committed (or `add`ed) in order. The walk that
decides how an update's structs integrate is `collab.touched_planner`; it reads the index
through the queries below and the three attributes the planning carries on (`pending`,
`pending_deletes`, `generation`), which only `commit` changes.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Final

from collab.intervals import Intervals
from collab.touched_planner import COLLECTED, Place, Plan, Planner
from collab.yupdate import ID, DeleteRange, Struct, decode_update

CONTENT: Final = "content"


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


class DocumentIndex:
    """The place of every item of one document, and which of them are deleted."""

    __slots__ = ("_clients", "_deleted", "_places", "generation", "pending", "pending_deletes")

    def __init__(self) -> None:
        self._clients: dict[int, _Client] = {}
        self._deleted: dict[int, Intervals] = {}
        self._places: dict[tuple[str | ID, str | None], Place] = {}
        self.pending: list[Struct] = []
        self.pending_deletes: list[DeleteRange] = []
        self.generation = 0

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
        return Planner(self, decode_update(update)).plan()

    def commit(self, plan: Plan) -> None:
        """Record a plan's update as applied; the plan must be the latest one made."""
        if plan.generation != self.generation:
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
        self.pending = plan.pending
        self.pending_deletes = plan.pending_deletes
        self.generation += 1

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

    def place(self, item: ID) -> Place:
        """Where a known item sits."""
        return self._clients[item[0]].place(item[1])

    def known_place(self, key: tuple[str | ID, str | None]) -> Place | None:
        """The place of a container's key, if an applied update put something there."""
        return self._places.get(key)

    def state(self, client_id: int) -> int:
        """How many of the client's clocks the index holds (its state vector entry)."""
        client = self._clients.get(client_id)
        return 0 if client is None else client.state

    def gone(self, item: ID) -> bool:
        """Whether a known item is deleted or collected."""
        deleted = self._deleted.get(item[0])
        if deleted is not None and deleted.contains(item[1]):
            return True
        return self.place(item) is COLLECTED

    def touch_deleted(self, client_id: int, start: int, end: int, touched: set[str]) -> None:
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
