"""The family side by side: the chosen members' content for the chosen cells, read from the
store, for the family page (documents.family_compare marks what each member changed).

Members are read from their checkpoints and logs, never loaded into the server's rooms: a
reader comparing two hundred adaptations must not make the server hold two hundred live
documents (and their replication) for a page view. Each member's cells are kept by the log
position they were read at, so asking again reads one index entry per member and rebuilds
only the members that logged something since.

Only members the reader may read are read: public ones, and the workshop the reader came
through (whose token they hold). Of the others the answer says, as the lineage graph does,
only that they are there.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from documents.access import DocumentKind, document_name
from documents.diff import cell_texts
from documents.family_compare import Cells, member_view, wanted_cells
from documents.family_graph import FamilyGraph, FamilyGraphs
from documents.lineage_service import family_graph
from documents.records import WorkshopRecord
from documents.store.base import Store
from documents.store.log import replay
from documents.workshop_doc import content_to_data, load_document

MAX_MEMBERS: Final = 200
"""Members compared in one answer: a family page shows a few; 200 is the benchmark's size."""
DEFAULT_KEPT: Final = 2000
"""Members' cells one node keeps (about 50 KB each for a filled workshop)."""


class NotInFamily(LookupError):
    """Asked for members that are not in the workshop's family."""

    def __init__(self, ids: Sequence[str]) -> None:
        super().__init__(f"not in this family: {', '.join(ids)}")
        self.ids = list(ids)


class KeptCells:
    """Members' cells by the log position they were read at, the least recently used
    forgotten beyond `limit` members."""

    def __init__(self, limit: int = DEFAULT_KEPT) -> None:
        self._limit = limit
        self._kept: OrderedDict[str, tuple[int, dict[str, str]]] = OrderedDict()
        self._taken: OrderedDict[str, dict[str, str]] = OrderedDict()

    def get(self, document: str, position: int) -> dict[str, str] | None:
        found = self._kept.get(document)
        if found is None or found[0] != position:
            return None
        self._kept.move_to_end(document)
        return found[1]

    def keep(self, document: str, position: int, cells: dict[str, str]) -> None:
        self._kept[document] = (position, cells)
        self._kept.move_to_end(document)
        while len(self._kept) > self._limit:
            self._kept.popitem(last=False)

    def taken(self, fork: str) -> dict[str, str] | None:
        """The cells the fork was adopted with, if known."""
        found = self._taken.get(fork)
        if found is not None:
            self._taken.move_to_end(fork)
        return found

    def keep_taken(self, fork: str, cells: dict[str, str]) -> None:
        self._taken[fork] = cells
        while len(self._taken) > self._limit:
            self._taken.popitem(last=False)


@dataclass(frozen=True, slots=True)
class Comparison:
    root: str
    cells: list[str]
    members: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"root": self.root, "cells": self.cells, "members": self.members}


def default_members(graph: FamilyGraph) -> list[str]:
    """The root and its direct adoptions, the oldest first."""
    children = [child for child, parent in graph.parents.items() if parent == graph.root]
    return [graph.root, *children][:MAX_MEMBERS]


async def compare(
    store: Store,
    graphs: FamilyGraphs,
    kept: KeptCells,
    through: WorkshopRecord,
    members: Sequence[str] | None,
    requested: Sequence[str],
) -> Comparison:
    """The members (default: `default_members`) of `through`'s family, each with its
    place in the family and, if the reader may read it, its text in the requested cells
    marked with what it changed since its adoption. Raises NotInFamily."""
    graph = await family_graph(store, through.id, graphs)
    chosen = list(dict.fromkeys(members)) if members else default_members(graph)
    strangers = [m for m in chosen if m not in graph.statuses]
    if strangers:
        raise NotInFamily(strangers)
    records = await store.workshops.many(chosen)
    readable = {
        member: record
        for member, record in records.items()
        if record.public or member == through.id
    }
    # The parents of the readable ones, when the reader may read those too: a fork's text
    # equal to its parent's is upstream's, not the fork's own change.
    parents = {graph.parents[m] for m in readable if m in graph.parents}
    extra = [p for p in parents if p not in readable]
    for upstream, found in (await store.workshops.many(extra)).items():
        if found.public or upstream == through.id:
            readable[upstream] = found
    now = await _current_cells(store, kept, list(readable))
    forks = [m for m in chosen if m in readable and m in graph.parents]
    taken = await _taken_cells(store, kept, forks, now)
    views = [now[m] for m in chosen if m in now]
    cells = wanted_cells(requested, views)
    answer = []
    for member in chosen:
        parent = graph.parents.get(member)
        placed: dict[str, Any] = {"id": member, "parent": parent}
        shown = readable.get(member)
        if shown is None:
            placed["private" if member in records else "deleted"] = True
            answer.append(placed)
            continue
        placed.update(_metadata(shown))
        placed["cells"] = member_view(
            cells,
            now[member],
            taken.get(member, now[member]) if parent is not None else None,
            now.get(parent) if parent is not None else None,
        )
        answer.append(placed)
    return Comparison(graph.root, cells, answer)


def _metadata(record: WorkshopRecord) -> dict[str, Any]:
    return {
        "title": record.title,
        "organisation": record.organisation,
        "place": record.place,
        "municipality": record.municipality,
    }


async def _current_cells(
    store: Store, kept: KeptCells, members: Sequence[str]
) -> dict[str, dict[str, str]]:
    """Each member's content cells as committed now, from the store (never a room)."""
    names = {member: document_name(member, DocumentKind.CONTENT) for member in members}
    positions = await store.lineage.last_positions(list(names.values()))
    cells = {}
    for member, name in names.items():
        found = kept.get(name, positions.get(name, 0))
        if found is not None:
            cells[member] = found
    unread = [name for member, name in names.items() if member not in cells]
    read = await store.lineage.read_many(unread)
    for member, name in names.items():
        if member not in cells:
            stored = read[name]
            cells[member] = cell_texts(content_to_data(replay(stored)))
            kept.keep(name, stored.last_position, cells[member])
    return cells


async def _taken_cells(
    store: Store, kept: KeptCells, forks: Sequence[str], now: dict[str, dict[str, str]]
) -> dict[str, Cells]:
    """What each fork was adopted with: its content's first entry, which never changes, so
    it is read once. A fork that logged nothing after it is as it was taken; forks adopted
    from one state (many adopt a model nobody changed in between) share one reading of it."""
    taken: dict[str, Cells] = {}
    unknown = []
    for fork in forks:
        known = kept.taken(fork)
        if known is None:
            unknown.append(fork)
        else:
            taken[fork] = known
    edited = await store.lineage.edited_forks(unknown)
    readings: dict[bytes, dict[str, str]] = {}
    for fork in unknown:
        found = edited.get(fork)
        if found is None:
            cells = now[fork]
        else:
            state = found[0]
            if state not in readings:
                doc = load_document(DocumentKind.CONTENT, state)
                readings[state] = cell_texts(content_to_data(doc))
            cells = readings[state]
        kept.keep_taken(fork, cells)
        taken[fork] = cells
    return taken
