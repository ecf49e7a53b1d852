"""Commit before broadcast, at the level of one room and the group committer."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc, Text

from collab.errors import CloseCode
from collab.hub import CollabHub
from collab.protocol import SyncStep1, SyncStep2, SyncUpdate, encode
from tests.collab.conftest import GatedStore, RecordingPeer, writer_session
from tests.support.conditions import wait_until


def edit(text: str) -> bytes:
    doc: Doc[Any] = Doc()
    doc.get("t", type=Text).insert(0, text)
    return doc.get_update()


async def joined(hub: CollabHub, name: str, *labels: str) -> list[RecordingPeer]:
    peers = [RecordingPeer(label) for label in labels]
    for peer in peers:
        await hub.rooms.join(name, peer, writer_session())
    return peers


@pytest.mark.asyncio
async def test_no_peer_sees_an_update_before_its_commit(hub: CollabHub, store: GatedStore) -> None:
    sender, other = await joined(hub, "order", "sender", "other")
    room = hub.rooms.get("order")
    assert room is not None
    store.gate.clear()
    before = len(other.frames)
    update = edit("odottaa")
    room.receive(sender, encode(SyncUpdate(update)), 0.0)
    await wait_until(lambda: store.appends_started == 1, what="the commit to start")
    assert len(other.frames) == before
    store.gate.set()
    await wait_until(lambda: len(other.frames) == before + 1, what="the broadcast")
    assert other.messages()[-1] == SyncUpdate(update)
    assert sender.messages().count(SyncUpdate(update)) == 0


@pytest.mark.asyncio
async def test_what_one_commit_releases_reaches_each_peer_in_order_in_one_write(
    hub: CollabHub, store: GatedStore
) -> None:
    sender, other, late = await joined(hub, "together", "sender", "other", "late")
    room = hub.rooms.get("together")
    assert room is not None
    updates = [edit(word) for word in ("yksi", "kaksi", "kolme")]
    store.gate.clear()
    room.receive(sender, encode(SyncUpdate(updates[0])), 0.0)
    await wait_until(lambda: store.appends_started == 1, what="the first commit to start")
    room.receive(sender, encode(SyncUpdate(updates[1])), 0.0)
    room.receive(sender, encode(SyncUpdate(updates[2])), 0.0)
    room.receive(late, encode(SyncStep1(b"\x00")), 0.0)
    other_writes, late_writes = other.writes, late.writes

    store.gate.set()  # the first commit holds one update, the second the next two
    await wait_until(lambda: room.settled, what="both commits")

    assert other.messages()[-3:] == [SyncUpdate(u) for u in updates]
    assert other.writes == other_writes + 2
    *relayed, answer = late.messages()[-4:]
    assert relayed == [SyncUpdate(u) for u in updates]
    assert isinstance(answer, SyncStep2)
    assert late.writes == late_writes + 2
    assert not any(isinstance(m, SyncUpdate) for m in sender.messages())


@pytest.mark.asyncio
async def test_step2_answer_waits_for_pending_commits(hub: CollabHub, store: GatedStore) -> None:
    sender, late = await joined(hub, "answer", "sender", "late")
    room = hub.rooms.get("answer")
    assert room is not None
    store.gate.clear()
    room.receive(sender, encode(SyncUpdate(edit("kesken"))), 0.0)
    late.frames.clear()
    room.receive(late, encode(SyncStep1(b"\x00")), 0.0)
    await wait_until(lambda: store.appends_started == 1)
    assert late.frames == []
    store.gate.set()
    await wait_until(lambda: any(isinstance(m, SyncStep2) for m in late.messages()))
    answer = next(m for m in late.messages() if isinstance(m, SyncStep2))
    doc: Doc[Any] = Doc()
    doc.apply_update(answer.update)
    assert str(doc.get("t", type=Text)) == "kesken"


@pytest.mark.asyncio
async def test_failed_commit_refuses_writes_and_shows_nothing(
    hub: CollabHub, store: GatedStore
) -> None:
    sender, other = await joined(hub, "broken", "sender", "other")
    room = hub.rooms.get("broken")
    assert room is not None
    store.fail_appends = ConnectionError("disk gone")
    before = len(other.frames)
    room.receive(sender, encode(SyncUpdate(edit("katoaa"))), 0.0)
    await wait_until(lambda: sender.closed is not None)
    # The sender is told to try again later (its client keeps the edit and resends it).
    assert sender.closed is not None
    assert sender.closed[0] is CloseCode.TRY_AGAIN_LATER
    # A reader keeps its connection and what it had, and sees nothing uncommitted.
    assert other.closed is None
    assert len(other.frames) == before
    assert hub.rooms.get("broken") is None
    # Writing to the failed room, or asking it for state, is refused the same way.
    room.receive(other, encode(SyncStep1(b"\x00")), 0.0)
    assert other.closed is not None
    assert other.closed[0] is CloseCode.TRY_AGAIN_LATER
    store.fail_appends = None
    await joined(hub, "broken", "again")
    reloaded = hub.rooms.get("broken")
    assert reloaded is not None
    assert reloaded is not room
    assert str(reloaded.doc.get("t", type=Text)) == ""


@pytest.mark.asyncio
async def test_readers_of_a_failed_room_reconnect_once_the_database_is_back(
    hub: CollabHub, store: GatedStore
) -> None:
    sender, reader = await joined(hub, "flaky", "sender", "reader")
    room = hub.rooms.get("flaky")
    assert room is not None
    store.fail_appends = ConnectionError("database restarting")
    room.receive(sender, encode(SyncUpdate(edit("odottaa"))), 0.0)
    await wait_until(lambda: sender.closed is not None)
    assert reader.closed is None
    store.fail_appends = None
    await hub.rooms.checkpoint_due()
    assert reader.closed is not None
    assert reader.closed[0] is CloseCode.SERVICE_RESTART


@pytest.mark.asyncio
async def test_other_rooms_keep_committing_after_one_fails(
    hub: CollabHub, store: GatedStore
) -> None:
    (a,) = await joined(hub, "first", "a")
    b, witness = await joined(hub, "second", "b", "witness")
    first, second = hub.rooms.get("first"), hub.rooms.get("second")
    assert first is not None
    assert second is not None
    store.fail_appends = ConnectionError("disk gone")
    first.receive(a, encode(SyncUpdate(edit("x"))), 0.0)
    await wait_until(lambda: a.closed is not None)
    store.fail_appends = None
    update = edit("toinen huone")
    second.receive(b, encode(SyncUpdate(update)), 0.0)
    await wait_until(lambda: SyncUpdate(update) in witness.messages())
    assert b.closed is None
