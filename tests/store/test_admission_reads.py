"""Admission's lookups (`get_recent`, `link_recent`) and the room's `live` session read their rows
on a path of their own (documents.store.sql.rows.ReadRows): they answer as the plain reads do,
on every backend."""

from __future__ import annotations

import pytest

from documents.live.state import SessionState
from documents.store.base import Store

pytestmark = pytest.mark.asyncio


async def test_admission_reads_a_workshop_and_its_link_as_get_and_link_do(store: Store) -> None:
    workshops = store.workshops
    workshop, owner = await workshops.create(
        {"title": "Kesäpaja", "organisation": "Oulu", "place": "Kallio"}, []
    )
    assert await workshops.get_recent(workshop.id) == await workshops.get(workshop.id)
    assert await workshops.get_recent(workshop.id) == workshop
    assert await workshops.link_recent(owner.id) == await workshops.link(owner.id) == owner

    editor = await workshops.create_link(workshop.id, "editor")
    assert await workshops.revoke_link(workshop.id, editor.id)
    revoked = await workshops.link_recent(editor.id)
    assert revoked is not None
    assert revoked.revoked_at is not None
    assert revoked == await workshops.link(editor.id)

    assert await workshops.delete(workshop.id)
    assert await workshops.get_recent(workshop.id) is None
    assert await workshops.get_recent("no-such-workshop") is None
    assert await workshops.link_recent("no-such-link") is None


async def test_the_live_session_reads_as_it_was_stored(store: Store) -> None:
    workshop, _ = await store.workshops.create({"title": "Innopaja", "organisation": "Oulu"}, [])
    rows = store.sessions.sessions
    assert await rows.live(workshop.id) is None
    created = await rows.create(workshop.id, "Yöpartio", SessionState.begun((), 1_800_000_000.0))
    live = await rows.live(workshop.id)
    assert live == created
    assert live is not None
    assert live.created_at.utcoffset() is not None
    ended = await rows.end(workshop.id, created.id, 1_800_000_060.0, {})
    assert ended.ended_at is not None
    assert await rows.live(workshop.id) is None
