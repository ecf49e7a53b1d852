"""An example family to try (`verstas demo`, and "Näytä esimerkki" on an empty front page).

The guide's own story (documents.demo_content holds its words): a small municipality's
health centre develops a practice in a workshop, with comments and two named versions; its
neighbour adopts and adapts it, and a third adopts the neighbour's adaptation; each has its
own evaluation. Everything goes through the service code the API uses: `create_workshop`,
`restore` for each edit (written to the log as one update, as a room writes an edit),
`add_thread`, `name_version`, `fork` and the workshops' `update`. Only new documents are
edited, so no room anywhere holds them while they are written.

Idempotent: when the example's root is there (public, by its title and organisation), nothing
is created and the existing family is returned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from pycrdt import Doc

from documents.access import DocumentKind, document_name
from documents.comments import add_reply, add_thread, anchor
from documents.demo_content import (
    ADOPTIONS,
    AFTER_TRIAL,
    COMMENTS,
    FIRST_DRAFT,
    FIRST_VERSION,
    ROOT_FIELDS,
    ROOT_TITLE,
    SECOND_VERSION,
    adapted,
    content_of,
)
from documents.lineage_service import fork, name_version
from documents.records import LinkRecord, WorkshopRecord, utc_now
from documents.restore import restore
from documents.store.base import Store
from documents.store.log import PendingUpdate, replay
from documents.workshop_doc import load_document, seed_update, text_at
from documents.workshop_service import create_workshop, stored_snapshot

# One example at a time per process: two clicks on the front page make one family.
_CREATING = asyncio.Lock()


@dataclass(frozen=True, slots=True)
class DemoFamily:
    root: WorkshopRecord
    members: list[WorkshopRecord]
    """The root first, then each adoption."""
    owners: list[LinkRecord]
    """The owner links of the members, when this call created them (empty otherwise)."""


async def find_demo(store: Store) -> WorkshopRecord | None:
    """The example's root, if it is there."""
    for found in await store.workshops.search(ROOT_TITLE, limit=20):
        if (
            found.title == ROOT_TITLE
            and found.organisation == ROOT_FIELDS["organisation"]
            and await store.lineage.parent(found.id) is None
        ):
            return found
    return None


async def ensure_demo(store: Store) -> DemoFamily:
    """The example family: found, or created."""
    async with _CREATING:
        root = await find_demo(store)
        if root is not None:
            return DemoFamily(root, await _members(store, root), [])
        return await _create(store)


async def _members(store: Store, root: WorkshopRecord) -> list[WorkshopRecord]:
    members = [root]
    frontier = [root.id]
    while frontier:
        edges = [edge for parent in frontier for edge in await store.lineage.children(parent)]
        found = await store.workshops.many([edge.child_id for edge in edges])
        members += [found[edge.child_id] for edge in edges if edge.child_id in found]
        frontier = [edge.child_id for edge in edges]
    return members


def _content_state(data: dict[str, Any]) -> bytes:
    doc = load_document(DocumentKind.CONTENT, seed_update(DocumentKind.CONTENT))
    restore(doc, content_of(data))
    return doc.get_update()


async def _edit(
    store: Store, workshop_id: str, kind: DocumentKind, change: Callable[..., Any]
) -> None:
    """One edit of a stored document, logged as one update (fresh client id, as a peer's)."""
    name = document_name(workshop_id, kind)
    current = replay(await store.load(name)).get_update()
    doc: Doc[Any] = load_document(kind, current)
    before = doc.get_state()
    change(doc)
    await store.append([PendingUpdate(name, doc.get_update(before))])


async def _comment(store: Store, workshop_id: str) -> None:
    content = load_document(
        DocumentKind.CONTENT,
        replay(await store.load(document_name(workshop_id, DocumentKind.CONTENT))).get_update(),
    )
    created = utc_now().isoformat()

    def threads(comments: Doc[Any]) -> None:
        for cell, quote, author, body, reply in COMMENTS:
            start = str(text_at(content, cell)).index(quote)
            positions = anchor(content, cell, start, start + len(quote))
            thread = add_thread(comments, positions, author, body, created)
            if reply is not None:
                add_reply(comments, thread, "Osastonhoitaja", reply, created)

    await _edit(store, workshop_id, DocumentKind.COMMENTS, threads)


async def _create(store: Store) -> DemoFamily:
    snapshot = partial(stored_snapshot, store)
    root, owner = await create_workshop(
        store.workshops, ROOT_FIELDS, {DocumentKind.CONTENT: _content_state(FIRST_DRAFT)}
    )
    await _comment(store, root.id)
    await name_version(store, snapshot, root, FIRST_VERSION, author="Osastonhoitaja")
    target = content_of(AFTER_TRIAL)
    await _edit(store, root.id, DocumentKind.CONTENT, lambda doc: restore(doc, target))
    await name_version(store, snapshot, root, SECOND_VERSION, author="Osastonhoitaja")
    members, owners = [root], [owner]
    parent, stage = root, AFTER_TRIAL
    for adoption in ADOPTIONS:
        child, child_owner = await fork(
            store,
            snapshot,
            parent,
            organisation=adoption["organisation"],
            reason=adoption["reason"],
            forked_by=adoption["by"],
            title=adoption["title"],
        )
        stage = adapted(stage, adoption["content"])
        own = content_of(stage)
        await _edit(store, child.id, DocumentKind.CONTENT, lambda doc, own=own: restore(doc, own))
        updated = await store.workshops.update(child.id, adoption["fields"])
        members.append(updated or child)
        owners.append(child_owner)
        parent = updated or child
    return DemoFamily(root, members, owners)
