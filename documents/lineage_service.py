"""Versions, forks and the lineage view: the operations behind the API and the CLI.

The current state of a document comes from a `Snapshot` callable, so the same code serves a
running server (which reads loaded rooms, committed updates only) and the CLI (which reads the
database).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pycrdt import get_state

from documents.access import DocumentKind, document_name, parse_document_name
from documents.diff import changed_cells
from documents.store import PendingUpdate, Store
from documents.store.lineage import ForkEdge, VersionRecord, fork_row
from documents.store.workshops import LinkRecord, WorkshopRecord, new_id, utc_now
from documents.workshop_doc import content_to_data, load_document, seed_update
from documents.workshop_service import replay

Snapshot = Callable[[str], Awaitable[tuple[bytes, int]]]
"""Document name -> (committed state, log position it stands for)."""

DIVERGENCE_LIMIT = 200  # descendants whose divergence is computed in one lineage answer


async def name_version(
    store: Store,
    snapshot: Snapshot,
    workshop: WorkshopRecord,
    label: str,
    *,
    author: str | None,
    automatic: bool = False,
) -> VersionRecord:
    """A version of the content as committed now."""
    state, position = await snapshot(document_name(workshop.id, DocumentKind.CONTENT))
    return await store.lineage.add_version(
        workshop.id,
        label,
        author=author,
        automatic=automatic,
        position=position,
        state_vector=get_state(state),
    )


AUTOMATIC_LABEL = "Automaattinen versio (automatic version)"


async def version_when_quiet(
    store: Store, document: str, position: int, state_vector: bytes
) -> None:
    """An automatic version of a workshop's content after a quiet period, so that history
    exists even when nobody names a version. Other documents (comments, session, open
    documents) are not versioned."""
    workshop_id, kind = parse_document_name(document)
    if kind is not DocumentKind.CONTENT or await store.workshops.get(workshop_id) is None:
        return
    latest = await store.lineage.versions(workshop_id)
    if latest and latest[0].position >= position:
        return
    await store.lineage.add_version(
        workshop_id,
        AUTOMATIC_LABEL,
        author=None,
        automatic=True,
        position=position,
        state_vector=state_vector,
    )


async def content_at(store: Store, workshop_id: str, position: int) -> bytes:
    """The content document as it stood at a log position, rebuilt from checkpoints and log."""
    name = document_name(workshop_id, DocumentKind.CONTENT)
    return replay(await store.load(name, upto=position)).get_update()


async def fork(
    store: Store,
    snapshot: Snapshot,
    parent: WorkshopRecord,
    *,
    organisation: str,
    reason: str,
    forked_by: str | None,
    version: VersionRecord | None = None,
) -> tuple[WorkshopRecord, LinkRecord]:
    """A new workshop whose content starts from the parent's state (now, or at a version).

    The child's first content update is the parent's full state, so the two share their CRDT
    history and later pulls and proposals merge cleanly. Comments and the session start empty.
    """
    if version is None:
        state, position = await snapshot(document_name(parent.id, DocumentKind.CONTENT))
    else:
        position = version.position
        state = await content_at(store, parent.id, position)
    child_id = new_id()
    edge = ForkEdge(
        child_id=child_id,
        parent_id=parent.id,
        parent_version_id=version.id if version else None,
        parent_position=position,
        parent_state_vector=get_state(state),
        organisation=organisation,
        reason=reason,
        forked_by=forked_by,
        created_at=utc_now(),
    )
    seeds = [
        PendingUpdate(document_name(child_id, DocumentKind.CONTENT), state),
        PendingUpdate(
            document_name(child_id, DocumentKind.COMMENTS), seed_update(DocumentKind.COMMENTS)
        ),
        PendingUpdate(
            document_name(child_id, DocumentKind.SESSION), seed_update(DocumentKind.SESSION)
        ),
    ]
    fields = {
        "title": parent.title,
        "organisation": organisation,
        "description": parent.description,
        "visibility": "public",
    }
    return await store.workshops.create(fields, seeds, workshop_id=child_id, fork=fork_row(edge))


@dataclass(frozen=True, slots=True)
class Lineage:
    root: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    in_use: list[dict[str, Any]]


def _time(value: datetime) -> str:
    return value.isoformat()


async def lineage(store: Store, snapshot: Snapshot, workshop: WorkshopRecord) -> Lineage:
    """The whole family (from the root down) and where this workshop's model is in use."""
    ancestors = await store.lineage.ancestors(workshop.id)
    root = ancestors[-1].parent_id if ancestors else workshop.id
    family = await store.lineage.descendants(root)
    ids = [root, *(edge.child_id for edge in family)]
    records = await store.workshops.many(ids)
    nodes = []
    for node_id in ids:
        record = records.get(node_id)
        if record is None:
            nodes.append({"id": node_id, "deleted": True})
        elif record.public:
            nodes.append(
                {"id": node_id, "title": record.title, "organisation": record.organisation}
            )
        else:
            nodes.append({"id": node_id, "private": True})
    edges = [
        {
            "parent": edge.parent_id,
            "child": edge.child_id,
            "organisation": edge.organisation,
            "reason": edge.reason,
            "forked_at": _time(edge.created_at),
            "parent_version": edge.parent_version_id,
            "parent_position": edge.parent_position,
        }
        for edge in family
    ]
    below = await store.lineage.descendants(workshop.id)
    activity = await store.lineage.last_activity(
        [document_name(edge.child_id, DocumentKind.CONTENT) for edge in below]
    )
    in_use = []
    for index, edge in enumerate(below):
        entry: dict[str, Any] = {
            "id": edge.child_id,
            "organisation": edge.organisation,
            "forked_at": _time(edge.created_at),
            "last_activity": None,
            "cells_changed": None,
        }
        last = activity.get(document_name(edge.child_id, DocumentKind.CONTENT))
        if last is not None:
            entry["last_activity"] = _time(last)
        if index < DIVERGENCE_LIMIT and edge.child_id in records:
            entry["cells_changed"] = len(await _divergence(store, snapshot, edge))
        in_use.append(entry)
    return Lineage(root, nodes, edges, in_use)


async def _divergence(store: Store, snapshot: Snapshot, edge: ForkEdge) -> list[str]:
    """Cells the fork has changed since it was taken."""
    at_fork = await content_at(store, edge.parent_id, edge.parent_position)
    now, _ = await snapshot(document_name(edge.child_id, DocumentKind.CONTENT))
    before = content_to_data(load_document(DocumentKind.CONTENT, at_fork))
    after = content_to_data(load_document(DocumentKind.CONTENT, now))
    return changed_cells(before, after)
