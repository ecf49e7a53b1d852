"""The lineage view (`lineage_service.lineage`) on every backend, with forks made by `fork` and
edited the way clients edit: what each fork changed since it was taken."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest

from documents.access import DocumentKind, document_name
from documents.family_graph import FamilyGraphs
from documents.lineage_service import Lineage, fork, lineage
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


async def erase(store: Store, workshop: WorkshopRecord, cell: str) -> None:
    """Delete a cell's text: an update that leaves the state vector as it was."""
    name = document_name(workshop.id, DocumentKind.CONTENT)
    doc = load_document(DocumentKind.CONTENT, (await stored_snapshot(store, name))[0])
    before = doc.get_state()
    text = text_at(doc, cell)
    del text[0 : len(str(text).encode())]
    assert doc.get_state() == before
    await store.append([PendingUpdate(name, doc.get_update(before))])


@pytest.mark.asyncio
async def test_in_use_counts_the_cells_each_fork_changed_since_it_was_taken(store: Store) -> None:
    snapshot = partial(stored_snapshot, store)
    origin, _ = await create_workshop(store.workshops, {"title": "Malli", "organisation": "Oulu"})
    await type_into(store, origin, "model/core_idea", "Yöhoitaja")

    async def adopt(parent: WorkshopRecord, organisation: str) -> WorkshopRecord:
        child, _ = await fork(
            store, snapshot, parent, organisation=organisation, reason="x", forked_by=None
        )
        return child

    untouched = await adopt(origin, "Kemi")
    typed = await adopt(origin, "Tornio")  # taken from the same state as Kemi's
    erased = await adopt(origin, "Raahe")
    await type_into(store, origin, "model/purpose", "Turva")  # the origin moves on
    later = await adopt(origin, "Oulainen")
    gone = await adopt(typed, "Keminmaa")
    await type_into(store, typed, "model/core_idea", " ja turvapuhelin")
    await type_into(store, typed, "model/purpose", "Koti")
    await erase(store, erased, "model/core_idea")
    await type_into(store, later, "model/core_idea", "!")
    await type_into(store, gone, "model/core_idea", "?")
    await store.workshops.delete(gone.id)

    view = await lineage(store, snapshot, origin, FamilyGraphs())

    shown = {entry["id"]: entry for entry in view.in_use}
    assert shown.pop(gone.id) == {"id": gone.id, "deleted": True}
    changed = {fork_id: entry["cells_changed"] for fork_id, entry in shown.items()}
    assert changed == {untouched.id: 0, typed.id: 2, erased.id: 1, later.id: 1}
    assert [node["id"] for node in nodes(view) if node.get("deleted")] == [gone.id]
    assert all(entry["last_activity"] is not None for entry in shown.values())


def nodes(view: Lineage) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(view.graph.nodes)
    return found


def titles(view: Lineage) -> dict[str, str | None]:
    return {node["id"]: node.get("title") for node in nodes(view)}


@pytest.mark.asyncio
async def test_a_kept_graph_is_served_until_the_family_changes_anywhere(
    store: Store, other_node: Store
) -> None:
    snapshot = partial(stored_snapshot, store)
    elsewhere = partial(stored_snapshot, other_node)
    graphs = FamilyGraphs()
    origin, _ = await create_workshop(store.workshops, {"title": "Malli", "organisation": "Oulu"})
    child, _ = await fork(store, snapshot, origin, organisation="Kemi", reason="x", forked_by=None)

    first = await lineage(store, snapshot, child, graphs)
    await type_into(store, child, "model/core_idea", "Oma")
    again = await lineage(store, snapshot, origin, graphs)

    assert again.graph is first.graph
    assert [entry["id"] for entry in again.in_use] == [child.id]
    assert again.in_use[0]["cells_changed"] == 1

    await other_node.workshops.update(child.id, {"title": "Kemin malli"})
    renamed = await lineage(store, snapshot, child, graphs)
    assert titles(renamed) == {origin.id: "Malli", child.id: "Kemin malli"}

    grandchild, _ = await fork(
        other_node, elsewhere, child, organisation="Tervola", reason="y", forked_by=None
    )
    grown = await lineage(store, snapshot, child, graphs)
    assert list(titles(grown)) == [origin.id, child.id, grandchild.id]
    assert [entry["id"] for entry in grown.in_use] == [grandchild.id]

    await other_node.workshops.update(grandchild.id, {"visibility": "private"})
    await other_node.workshops.delete(child.id)
    hidden = await lineage(store, snapshot, origin, graphs)
    assert nodes(hidden)[1:] == [
        {"id": child.id, "deleted": True},
        {"id": grandchild.id, "private": True},
    ]
    assert len(graphs) == 1


@pytest.mark.asyncio
async def test_a_forks_count_of_changed_cells_stands_until_the_fork_logs_more(
    store: Store,
) -> None:
    read: list[str] = []

    async def snapshot(name: str) -> tuple[bytes, int]:
        read.append(name)
        return await stored_snapshot(store, name)

    graphs = FamilyGraphs()
    origin, _ = await create_workshop(store.workshops, {"title": "Malli", "organisation": "Oulu"})
    child, _ = await fork(store, snapshot, origin, organisation="Kemi", reason="x", forked_by=None)
    await type_into(store, child, "model/core_idea", "Oma")
    read.clear()

    counts = [(await lineage(store, snapshot, origin, graphs)).in_use[0]["cells_changed"]]
    counts.append((await lineage(store, snapshot, origin, graphs)).in_use[0]["cells_changed"])
    assert (counts, len(read)) == ([1, 1], 1)

    await type_into(store, child, "model/purpose", "Koti")
    counts.append((await lineage(store, snapshot, origin, graphs)).in_use[0]["cells_changed"])
    assert (counts, len(read)) == ([1, 1, 2], 2)
