"""What related workshops offer each other: a fork what changed upstream since it last pulled,
an origin what its direct forks changed (their proposals). Each offer is the update that brings
the changes over and a per-cell preview of them, to be reviewed and merged (`merge`).

States come from a `Snapshot`, as the versions and the lineage view read them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from documents.access import DocumentKind, document_name
from documents.merge import CellChange, incoming_changes, item_data, missed_items, preview
from documents.records import ForkEdge
from documents.store.base import Store
from documents.workshop_service import Snapshot

Located = Callable[[bytes, bytes], Collection[str]]
"""(state, update it holds) -> where the update's items sit in that state, as field paths
(collab.touched's `DocumentIndex.paths_of`, which the web layer passes in)."""


@dataclass(frozen=True, slots=True)
class Offer:
    """What `source`'s content has that the receiving workshop's lacks, as one update, and
    the cells merging it would change there now; with the components and ideas the update
    changes that the merge cannot bring (the receiver declined them), `revivable`: taking
    one makes it again as the source has it."""

    source: str
    incoming: bytes
    changes: list[CellChange]
    revivable: dict[str, dict[str, Any]] = field(default_factory=dict)


async def _content(snapshot: Snapshot, workshop_id: str) -> bytes:
    state, _ = await snapshot(document_name(workshop_id, DocumentKind.CONTENT))
    return state


def offer(source_id: str, source: bytes, target: bytes, located: Located | None) -> Offer:
    """The offer of `source`'s state to `target`'s. With `located`, a component or idea the
    target declined (and so removed) earlier is offered again once the source changes it."""
    incoming = incoming_changes(source, target)
    changes = preview(target, incoming)
    if located is None:
        return Offer(source_id, incoming, changes)
    offered = {change.cell for change in changes}
    missed = missed_items(source, target, located(source, incoming), offered)
    revivable = item_data(source, [change.cell for change in missed])
    return Offer(source_id, incoming, changes + missed, revivable)


async def _offer(
    snapshot: Snapshot, source_id: str, target_id: str, located: Located | None
) -> Offer:
    target = await _content(snapshot, target_id)
    return offer(source_id, await _content(snapshot, source_id), target, located)


async def upstream(
    store: Store, snapshot: Snapshot, fork_id: str, located: Located | None = None
) -> Offer | None:
    """What the fork's parent offers it; None when the workshop is not a fork."""
    edge = await store.lineage.parent(fork_id)
    if edge is None:
        return None
    return await _offer(snapshot, edge.parent_id, fork_id, located)


async def proposal(
    store: Store,
    snapshot: Snapshot,
    parent_id: str,
    fork_id: str,
    located: Located | None = None,
) -> Offer | None:
    """What a direct fork offers its parent; None when it is not a fork of that parent."""
    edge = await store.lineage.parent(fork_id)
    if edge is None or edge.parent_id != parent_id:
        return None
    return await _offer(snapshot, fork_id, parent_id, located)


async def proposals(
    store: Store, snapshot: Snapshot, parent_id: str, located: Located | None = None
) -> list[tuple[ForkEdge, Offer]]:
    """Each direct fork that offers changes, with its offer (forks with none are left out)."""
    found = []
    for edge in await store.lineage.children(parent_id):
        offered = await proposal(store, snapshot, parent_id, edge.child_id, located)
        if offered is not None and offered.changes:
            found.append((edge, offered))
    return found
