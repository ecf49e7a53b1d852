"""Loading once, not caching failures, unloading when idle, and checkpoints that reload."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pycrdt import Doc, Text

from collab.hub import CollabHub, HubConfig
from collab.protocol import SyncStep1, SyncUpdate, encode
from documents.checkpoints import CheckpointPolicy
from documents.store.log import PendingUpdate
from tests.collab.conftest import GatedStore, RecordingPeer, identity, writer_session
from tests.support.conditions import wait_for, wait_until


@pytest.mark.asyncio
async def test_simultaneous_joins_load_once_and_all_sync(hub: CollabHub, store: GatedStore) -> None:
    peers = [RecordingPeer(f"p{i}") for i in range(20)]
    rooms = await asyncio.gather(
        *(hub.rooms.join("same", peer, writer_session()) for peer in peers)
    )
    assert store.loads == 1
    assert len({id(room) for room in rooms}) == 1
    assert all(isinstance(peer.messages()[0], SyncStep1) for peer in peers)


@pytest.mark.asyncio
async def test_a_failed_load_is_not_cached(hub: CollabHub, store: GatedStore) -> None:
    store.fail_loads = 1
    with pytest.raises(ConnectionError):
        await hub.rooms.join("flaky", RecordingPeer("first"), writer_session())
    room = await hub.rooms.join("flaky", RecordingPeer("second"), writer_session())
    assert store.loads == 2
    assert hub.rooms.get("flaky") is room


@pytest.mark.asyncio
async def test_last_leave_unloads_with_a_checkpoint_and_reload_has_everything(
    hub: CollabHub, store: GatedStore
) -> None:
    peer = RecordingPeer("writer")
    room = await hub.rooms.join("fold", peer, writer_session())
    source: Doc[Any] = Doc()
    text = source.get("t", type=Text)
    for word in ("yksi ", "kaksi ", "kolme"):
        before = source.get_state()
        text += word
        room.receive(peer, encode(SyncUpdate(source.get_update(before))), 0.0)
    await wait_until(lambda: room.settled)
    hub.rooms.leave(room, peer)
    # The room leaves the registry first, then its checkpoint is written.
    await wait_until(
        lambda: (
            hub.rooms.get("fold") is None and room.activity.checkpoint_position == room.position
        ),
        what="the unload and its checkpoint",
    )
    stored = await store.load("fold")
    assert stored.checkpoint is not None
    assert stored.tail == []
    assert stored.checkpoint_position == room.position
    again = await hub.rooms.join("fold", RecordingPeer("reader"), writer_session())
    assert str(again.doc.get("t", type=Text)) == "yksi kaksi kolme"


@pytest.mark.asyncio
async def test_a_busy_room_is_checkpointed_at_a_batch_boundary(store: GatedStore) -> None:
    hub = CollabHub(store, identity, HubConfig(checkpoints=CheckpointPolicy(max_entries=1)))
    await hub.start()
    try:
        peer = RecordingPeer("writer")
        room = await hub.rooms.join("busy", peer, writer_session())
        source: Doc[Any] = Doc()
        text = source.get("t", type=Text)

        def send(word: str) -> None:
            before = source.get_state()
            text.insert(len(text), word)
            room.receive(peer, encode(SyncUpdate(source.get_update(before))), 0.0)

        store.gate.clear()
        send("yksi ")
        await wait_until(lambda: store.appends_started == 1)
        await hub.rooms.checkpoint_due()  # a commit is in flight: the checkpoint is deferred
        assert room.checkpoints.wanted
        send("kaksi")
        store.gate.set()
        await wait_until(lambda: room.checkpoints.tail().entries == 0, what="the checkpoint")
        stored = await store.load("busy")
        assert stored.checkpoint_position == room.position
        assert stored.tail == []
        rebuilt: Doc[Any] = Doc()
        rebuilt.apply_update(stored.checkpoint or b"")
        assert str(rebuilt.get("t", type=Text)) == "yksi kaksi"
    finally:
        store.gate.set()
        await hub.stop()


@pytest.mark.asyncio
async def test_a_flooding_writer_leaves_a_bounded_tail_without_waiting_for_a_round(
    store: GatedStore,
) -> None:
    """A crash replays at most about one bound of log: the room asks for a checkpoint when its
    tail passes the policy's bound, not when the periodic round comes (an hour, here)."""
    config = HubConfig(checkpoints=CheckpointPolicy(max_entries=20), checkpoint_interval=3600)
    hub = CollabHub(store, identity, config)
    await hub.start()
    try:
        peer = RecordingPeer("writer")
        room = await hub.rooms.join("flood", peer, writer_session())
        source: Doc[Any] = Doc()
        text = source.get("t", type=Text)
        for n in range(200):
            before = source.get_state()
            text.insert(len(text), f"{n};")
            room.receive(peer, encode(SyncUpdate(source.get_update(before))), 0.0)
            if n % 10 == 9:
                await wait_until(lambda: room.settled)
        await wait_until(lambda: room.settled and not room.checkpoints.writing)
        stored = await store.load("flood")
        assert stored.checkpoint is not None
        assert len(stored.tail) < 60, "at most the bound plus what arrived while one was written"
        rebuilt: Doc[Any] = Doc()
        rebuilt.apply_update(stored.checkpoint)
        for _, update in stored.tail:
            rebuilt.apply_update(update)
        assert str(rebuilt.get("t", type=Text)) == str(text)
    finally:
        await hub.stop()


async def logged_without_a_room(store: GatedStore, document: str) -> str:
    """Eight keystrokes logged straight to the store, as a crash leaves them (no checkpoint,
    past the tests' policy of five entries); the text they make."""
    source: Doc[Any] = Doc()
    text = source.get("t", type=Text)
    updates = []
    for n in range(8):
        before = source.get_state()
        text.insert(len(text), f"{n};")
        updates.append(PendingUpdate(document, source.get_update(before)))
    await store.append(updates)
    return str(text)


@pytest.mark.asyncio
async def test_a_fold_still_being_written_is_finished_before_the_rooms_close(
    store: GatedStore,
) -> None:
    hub = CollabHub(store, identity, HubConfig(checkpoints=CheckpointPolicy(max_entries=5)))
    await hub.start()
    await logged_without_a_room(store, "stopping")

    state, position = await hub.rooms.snapshot("stopping")
    await hub.stop()

    stored = await store.load("stopping")
    assert (stored.checkpoint, stored.checkpoint_position) == (state, position)


@pytest.mark.asyncio
async def test_a_snapshot_of_a_document_no_room_holds_folds_a_long_tail(store: GatedStore) -> None:
    """What a crash left behind, read for a fork: the tail is folded on the way, so the room
    that loads the document later (or the next fork) starts from the checkpoint."""
    hub = CollabHub(store, identity, HubConfig(checkpoints=CheckpointPolicy(max_entries=5)))
    await hub.start()
    try:
        text = await logged_without_a_room(store, "crashed")

        state, position = await hub.rooms.snapshot("crashed")

        async def folded() -> bool:
            return (await store.load("crashed")).checkpoint is not None

        # Written beside the caller's next step (a fork's rows), not before the answer.
        await wait_for(folded, what="the tail folded into a checkpoint")
        stored = await store.load("crashed")
        assert (stored.checkpoint, stored.checkpoint_position, stored.tail) == (state, position, [])
        room = await hub.rooms.join("crashed", RecordingPeer("reader"), writer_session())
        assert str(room.doc.get("t", type=Text)) == text
    finally:
        await hub.stop()
