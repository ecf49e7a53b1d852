"""Workshop operations shared by the HTTP API and the CLI: creating (or importing) a workshop
with its documents' first updates, and assembling an export from document states.

The current state of a document comes from a `Snapshot` callable, so the same code serves a
running server (which reads loaded rooms, committed updates only) and the CLI (which reads the
database: `stored_snapshot`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from documents.access import DocumentKind, document_name
from documents.checkpoints import CheckpointPolicy
from documents.export import WorkshopExport, export_workshop, import_workshop
from documents.records import EDITABLE_FIELDS, LinkRecord, WorkshopRecord, new_id
from documents.store.base import Store
from documents.store.log import PendingUpdate, snapshot
from documents.store.workshops import Workshops
from documents.workshop_doc import seed_update

Snapshot = Callable[[str], Awaitable[tuple[bytes, int]]]
"""Document name -> (committed state, log position it stands for)."""


async def create_workshop(
    workshops: Workshops,
    fields: Mapping[str, str | None],
    states: Mapping[DocumentKind, bytes] | None = None,
) -> tuple[WorkshopRecord, LinkRecord]:
    """A new workshop whose documents start from `states` (an import) or from the seeds."""
    workshop_id = new_id()
    given = states or {}
    seeds = [
        PendingUpdate(document_name(workshop_id, kind), given.get(kind) or seed_update(kind))
        for kind in DocumentKind
    ]
    return await workshops.create(fields, seeds, workshop_id=workshop_id)


async def import_export(
    workshops: Workshops, export: Mapping[str, Any]
) -> tuple[WorkshopRecord, LinkRecord]:
    """Create a workshop from an export; raises documents.export.InvalidExport."""
    metadata, content, comments = import_workshop(export)
    fields: dict[str, str | None] = {field: metadata.get(field) for field in EDITABLE_FIELDS}
    fields["organisation"] = fields["organisation"] or "(unknown)"
    states = {DocumentKind.CONTENT: content, DocumentKind.COMMENTS: comments}
    return await create_workshop(workshops, fields, states)


def workshop_export(workshop: WorkshopRecord, content: bytes, comments: bytes) -> WorkshopExport:
    """The export of a workshop from its record and its documents' committed states."""
    metadata: dict[str, object] = {field: getattr(workshop, field) for field in EDITABLE_FIELDS}
    metadata["created"] = workshop.created_at
    metadata["updated"] = workshop.updated_at
    return export_workshop(metadata, content, comments)


async def current_export(snapshot: Snapshot, workshop: WorkshopRecord) -> WorkshopExport:
    """The export of a workshop as its documents stand committed now."""
    content, _ = await snapshot(document_name(workshop.id, DocumentKind.CONTENT))
    comments, _ = await snapshot(document_name(workshop.id, DocumentKind.COMMENTS))
    return workshop_export(workshop, content, comments)


async def stored_snapshot(store: Store, name: str) -> tuple[bytes, int]:
    """A document's committed state straight from the database (no server needed), and the
    log position it stands for: a `Snapshot` for documents no room holds. A tail past the
    default policy's bounds is folded into a checkpoint (see documents.store.log.snapshot)."""
    return await snapshot(store, name, CheckpointPolicy())
