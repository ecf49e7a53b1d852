"""A family's lineage graph, built once per change of the family and kept encoded as JSON.

A family of 10,000 forks took ~40 ms to read and as long again to encode for every lineage
request (tests/bench/lineage_bench.py), yet the graph changes only when someone forks, or a
member is renamed, made private or deleted. Each of those advances the version on the family
root's row in its own transaction (documents.store.workshops), so a node may keep the graph it
built and serve it again for as long as that version stands: one primary-key read per request,
correct across nodes and the CLI with no message between them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from documents.records import FamilyRow, WorkshopRecord, iso_utc

Shown = Literal["public", "private", "deleted"]
"""What the graph shows of a member: all of a public one; of a private or deleted one, which
nobody reading the family through another member may read, only that it is there."""

Member = tuple[str, str, str, Shown]
"""One fork: child id, adopting organisation, fork time (ISO 8601), what is shown of it."""

DEFAULT_BUDGET_BYTES = 64 * 1024 * 1024  # of encoded graphs kept by one node (a 10k family: ~3 MB)


def encode(value: Any) -> bytes:
    """JSON as Starlette's JSONResponse writes it (compact, UTF-8), so a kept graph can be
    spliced into an answer whose other parts are encoded per request. orjson rather than the
    standard library: 4 ms instead of 60 for a 10,000-fork family's nodes and edges."""
    return orjson.dumps(value)


@dataclass(frozen=True, slots=True)
class FamilyGraph:
    root: str
    version: int
    nodes: bytes
    """The JSON array of every member, the root first."""
    edges: bytes
    """The JSON array of every fork edge, oldest first."""
    members: tuple[Member, ...]
    """The forks in the order of `edges`, for finding the ones in use below a member."""
    parents: dict[str, str] = field(default_factory=dict, compare=False)
    """Fork -> the member it was adopted from."""
    statuses: dict[str, Shown] = field(default_factory=dict, compare=False)
    """Every member, the root included -> what the graph shows of it."""
    divergence: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)
    """Fork -> (log position, cells changed since the fork at that position): counting means
    loading the fork and its starting state, so a count stands until the fork logs more."""

    @property
    def size(self) -> int:
        return len(self.nodes) + len(self.edges)


def shown(title: str | None, visibility: str | None) -> Shown:
    """A member's row as it is now (title None once deleted) -> what the graph shows of it."""
    if title is None:
        return "deleted"
    return "public" if visibility == "public" else "private"


def node(
    workshop_id: str,
    title: str | None,
    organisation: str | None,
    status: Shown,
    place: str | None = None,
) -> Any:
    if status == "public":
        shown_node = {"id": workshop_id, "title": title, "organisation": organisation}
        if place:
            shown_node["place"] = place
        return shown_node
    return {"id": workshop_id, status: True}


def build(
    root: str, version: int, top: WorkshopRecord | None, rows: Iterable[FamilyRow]
) -> FamilyGraph:
    """The graph of the family under `root` (`top` is its row, None once deleted), in one pass
    over its rows: with ten thousand of them, nothing is built per row but the answer."""
    top_status = "deleted" if top is None else shown(top.title, top.visibility)
    if top is None:
        nodes = [node(root, None, None, "deleted")]
    else:
        nodes = [node(root, top.title, top.organisation, top_status, top.place or top.municipality)]
    edges = []
    members = []
    parents: dict[str, str] = {}
    statuses: dict[str, Shown] = {root: top_status}
    for (
        parent,
        child,
        organisation,
        reason,
        forked,
        version_id,
        position,
        title,
        child_organisation,
        visibility,
        place,
    ) in rows:
        forked_at = iso_utc(forked)
        status = shown(title, visibility)
        nodes.append(node(child, title, child_organisation, status, place))
        # The edge tells who adopted the model and why: of a member the graph hides, only
        # where it hangs in the family.
        if status == "public":
            edges.append(
                {
                    "parent": parent,
                    "child": child,
                    "organisation": organisation,
                    "reason": reason,
                    "forked_at": forked_at,
                    "parent_version": version_id,
                    "parent_position": position,
                }
            )
        else:
            edges.append({"parent": parent, "child": child, status: True})
        members.append((child, organisation, forked_at, status))
        parents[child] = parent
        statuses[child] = status
    return FamilyGraph(
        root, version, encode(nodes), encode(edges), tuple(members), parents, statuses
    )


class FamilyGraphs:
    """The graphs this node built, newest use last, within a budget of encoded bytes."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        self._budget = budget_bytes
        self._used = 0
        self._graphs: OrderedDict[str, FamilyGraph] = OrderedDict()

    def get(self, root: str, version: int) -> FamilyGraph | None:
        """The kept graph of the family, if it is of this version."""
        graph = self._graphs.get(root)
        if graph is None or graph.version != version:
            return None
        self._graphs.move_to_end(root)
        return graph

    def keep(self, graph: FamilyGraph) -> None:
        """Keep the graph in place of its family's older one, forgetting the least recently
        used graphs beyond the budget (one larger than the whole budget is not kept). A graph
        older than the one kept (built by a slower request) does not replace it."""
        old = self._graphs.get(graph.root)
        if old is not None:
            if old.version > graph.version:
                return
            del self._graphs[graph.root]
            self._used -= old.size
        if graph.size > self._budget:
            return
        self._graphs[graph.root] = graph
        self._used += graph.size
        while self._used > self._budget:
            _, dropped = self._graphs.popitem(last=False)
            self._used -= dropped.size

    def __len__(self) -> int:
        return len(self._graphs)
