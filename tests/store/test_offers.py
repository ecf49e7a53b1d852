"""What related workshops offer each other (`offers`) on every backend: upstream changes to a
fork, a fork's changes back to its origin, and nothing to a workshop that is neither."""

from __future__ import annotations

from functools import partial

import pytest

from documents.access import DocumentKind, document_name
from documents.lineage_service import fork
from documents.offers import proposal, proposals, upstream
from documents.records import WorkshopRecord
from documents.store.base import Store
from documents.store.log import PendingUpdate
from documents.workshop_doc import load_document, text_at
from documents.workshop_service import create_workshop, stored_snapshot


async def type_into(store: Store, workshop: WorkshopRecord, cell: str, words: str) -> None:
    """Append `words` to a cell as a client would: one committed update."""
    name = document_name(workshop.id, DocumentKind.CONTENT)
    doc = load_document(DocumentKind.CONTENT, (await stored_snapshot(store, name))[0])
    before = doc.get_state()
    text = text_at(doc, cell)
    text.insert(len(str(text).encode()), words)
    await store.append([PendingUpdate(name, doc.get_update(before))])


@pytest.mark.asyncio
async def test_a_fork_and_its_origin_are_offered_what_the_other_changed(store: Store) -> None:
    snapshot = partial(stored_snapshot, store)
    origin, _ = await create_workshop(store.workshops, {"title": "Malli", "organisation": "Oulu"})
    await type_into(store, origin, "model/purpose", "Turva")

    async def adopt(organisation: str) -> WorkshopRecord:
        child, _ = await fork(
            store, snapshot, origin, organisation=organisation, reason="x", forked_by=None
        )
        return child

    edited, untouched = await adopt("Kemi"), await adopt("Tornio")
    await type_into(store, origin, "model/core_idea", "Yöhoitaja")
    await type_into(store, edited, "model/purpose", " kotona")

    offered = await upstream(store, snapshot, edited.id)
    assert offered is not None
    assert offered.source == origin.id
    assert [(c.cell, c.current, c.incoming) for c in offered.changes] == [
        ("model/core_idea", "", "Yöhoitaja")
    ]
    back = await proposal(store, snapshot, origin.id, edited.id)
    assert back is not None
    assert back.source == edited.id
    assert [(c.cell, c.current, c.incoming) for c in back.changes] == [
        ("model/purpose", "Turva", "Turva kotona")
    ]
    listed = await proposals(store, snapshot, origin.id)
    assert [(edge.child_id, offer.changes) for edge, offer in listed] == [(edited.id, back.changes)]
    untouched_offer = await proposal(store, snapshot, origin.id, untouched.id)
    assert untouched_offer is not None
    assert untouched_offer.changes == []


@pytest.mark.asyncio
async def test_nothing_is_offered_between_workshops_that_are_not_parent_and_fork(
    store: Store,
) -> None:
    snapshot = partial(stored_snapshot, store)
    one, _ = await create_workshop(store.workshops, {"title": "Yksi", "organisation": "Oulu"})
    other, _ = await create_workshop(store.workshops, {"title": "Toinen", "organisation": "Kemi"})
    child, _ = await fork(store, snapshot, one, organisation="Kemi", reason="x", forked_by=None)
    assert await upstream(store, snapshot, one.id) is None
    assert await proposal(store, snapshot, other.id, child.id) is None
    assert await proposal(store, snapshot, child.id, one.id) is None
    assert await proposals(store, snapshot, other.id) == []
