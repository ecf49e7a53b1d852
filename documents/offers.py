"""What related workshops offer each other: a fork what changed upstream since it last pulled,
an origin what its direct forks changed (their proposals). Each offer is the update that brings
the changes over and a per-cell preview of them, to be reviewed and merged (`merge`).

States come from a `Snapshot`, as the versions and the lineage view read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from documents.access import DocumentKind, document_name
from documents.merge import CellChange, incoming_changes, preview
from documents.records import ForkEdge
from documents.store.base import Store
from documents.workshop_service import Snapshot


@dataclass(frozen=True, slots=True)
class Offer:
    """What `source`'s content has that the receiving workshop's lacks, as one update, and
    the cells merging it would change there now."""

    source: str
    incoming: bytes
    changes: list[CellChange]


async def _content(snapshot: Snapshot, workshop_id: str) -> bytes:
    state, _ = await snapshot(document_name(workshop_id, DocumentKind.CONTENT))
    return state


async def _offer(snapshot: Snapshot, source_id: str, target_id: str) -> Offer:
    target = await _content(snapshot, target_id)
    incoming = incoming_changes(await _content(snapshot, source_id), target)
    return Offer(source_id, incoming, preview(target, incoming))


async def upstream(store: Store, snapshot: Snapshot, fork_id: str) -> Offer | None:
    """What the fork's parent offers it; None when the workshop is not a fork."""
    edge = await store.lineage.parent(fork_id)
    if edge is None:
        return None
    return await _offer(snapshot, edge.parent_id, fork_id)


async def proposal(store: Store, snapshot: Snapshot, parent_id: str, fork_id: str) -> Offer | None:
    """What a direct fork offers its parent; None when it is not a fork of that parent."""
    edge = await store.lineage.parent(fork_id)
    if edge is None or edge.parent_id != parent_id:
        return None
    return await _offer(snapshot, fork_id, parent_id)


async def proposals(
    store: Store, snapshot: Snapshot, parent_id: str
) -> list[tuple[ForkEdge, Offer]]:
    """Each direct fork that offers changes, with its offer (forks with none are left out)."""
    found = []
    for edge in await store.lineage.children(parent_id):
        offer = await proposal(store, snapshot, parent_id, edge.child_id)
        if offer is not None and offer.changes:
            found.append((edge, offer))
    return found
