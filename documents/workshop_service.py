"""Workshop operations shared by the HTTP API and the CLI: creating (or importing) a workshop
with its documents' first updates, and assembling an export from document states."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pycrdt import Doc

from documents.access import DocumentKind, document_name
from documents.export import WorkshopExport, export_workshop, import_workshop
from documents.store import PendingUpdate, Store, StoredDocument
from documents.store.workshops import (
    EDITABLE_FIELDS,
    LinkRecord,
    SqlWorkshops,
    WorkshopRecord,
    new_id,
)
from documents.workshop_doc import seed_update


async def create_workshop(
    workshops: SqlWorkshops,
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
    workshops: SqlWorkshops, export: Mapping[str, Any]
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


REPLAY_BATCH = 500
"""Log entries applied per transaction when replaying. One transaction per entry pays pycrdt's
commit work 10,000 times for a 10k-entry tail (~45 ms); one transaction for all of them grows
super-linearly (~75 ms); batches of 100 to 1,000 take ~13 ms through `Doc.apply_update`, and
about half that through the binding (`_apply_in_one_transaction`; tests/bench/lineage_bench.py)."""


def replay(stored: StoredDocument) -> Doc[Any]:
    """A document rebuilt from its latest checkpoint and the log after it.

    The stored bytes were validated by applying them before they were logged, and checksums
    were verified by the store, so they are applied as they are. An entry whose dependencies
    lie in a later batch waits, pending, as it would in one transaction.
    """
    doc: Doc[Any] = Doc()
    if stored.checkpoint is not None:
        doc.apply_update(stored.checkpoint)
    tail = stored.tail
    for start in range(0, len(tail), REPLAY_BATCH):
        _apply_in_one_transaction(doc, [update for _, update in tail[start : start + REPLAY_BATCH]])
    return doc


def _apply_in_one_transaction(doc: Doc[Any], updates: list[bytes]) -> None:
    """Apply the updates in order, in one transaction, straight through pycrdt's binding.

    `Doc.apply_update` enters and leaves a (nested) transaction in Python around each apply,
    which cost more than the apply itself: half of a 10k-entry replay
    (tests/bench/lineage_bench.py). Inside a transaction of our own, the binding's apply is what
    `Doc.apply_update` ends up calling, with the same checks and effects; the two attributes
    used for it are pycrdt's own (as in its `get_update`), pinned with pycrdt to 0.14.
    """
    with doc.transaction() as transaction:
        binding, handle = doc._doc, transaction._txn
        assert handle is not None  # set on entering the transaction
        for update in updates:
            binding.apply_update(handle, update)


async def stored_snapshot(store: Store, name: str) -> tuple[bytes, int]:
    """A document's committed state straight from the database (no server needed), and the
    log position it stands for: a `lineage_service.Snapshot` for documents no room holds."""
    stored = await store.load(name)
    return replay(stored).get_update(), stored.last_position


async def stored_state(store: Store, name: str) -> bytes:
    state, _ = await stored_snapshot(store, name)
    return state
