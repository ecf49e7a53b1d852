"""A room loaded from a checkpoint alone answers a fresh client from the checkpoint's bytes,
then builds its document and sends its state vector; the document is built when needed."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc, Text

from collab import room_document
from collab.crdt import InvalidUpdate
from collab.errors import CloseCode
from collab.hub import CollabHub
from collab.protocol import SyncStep1, SyncStep2, SyncUpdate, encode
from documents.store.log import PendingUpdate
from tests.collab.conftest import GatedStore, RecordingPeer, writer_session
from tests.support.conditions import wait_until


async def checkpointed(store: GatedStore, name: str, words: str) -> bytes:
    """A document whose log is folded into a checkpoint: its state, as stored."""
    doc: Doc[Any] = Doc()
    doc.get("t", type=Text).insert(0, words)
    state = doc.get_update()
    (position,) = await store.append([PendingUpdate(name, state)])
    await store.save_checkpoint(name, state, position)
    return state


def text_of(update: bytes) -> str:
    doc: Doc[Any] = Doc()
    doc.apply_update(update)
    return str(doc.get("t", type=Text))


@pytest.mark.asyncio
async def test_a_fresh_peer_gets_the_checkpoint_first_and_our_state_vector_after(
    hub: CollabHub, store: GatedStore
) -> None:
    state = await checkpointed(store, "cold", "kylmä alku")
    peer = RecordingPeer("fresh")
    room = await hub.rooms.join("cold", peer, writer_session())
    assert peer.frames == []  # our step 1 needs the document, which is not built yet

    room.receive(peer, encode(SyncStep1(b"\x00")), 0.0)
    assert peer.messages() == [SyncStep2(state)]

    await wait_until(lambda: len(peer.frames) == 2, what="our sync step 1")
    assert peer.messages()[1] == SyncStep1(room.doc.get_state())
    assert str(room.doc.get("t", type=Text)) == "kylmä alku"


@pytest.mark.asyncio
async def test_a_checkpoint_and_a_short_tail_answer_a_fresh_peer_before_any_build(
    hub: CollabHub, store: GatedStore
) -> None:
    state = await checkpointed(store, "crashed", "ennen kaatumista")
    source: Doc[Any] = Doc()
    source.apply_update(state)
    before = source.get_state()
    source.get("t", type=Text).insert(0, "lokissa ")
    await store.append([PendingUpdate("crashed", source.get_update(before))])  # no checkpoint
    peer = RecordingPeer("fresh")
    room = await hub.rooms.join("crashed", peer, writer_session())

    room.receive(peer, encode(SyncStep1(b"\x00")), 0.0)

    # our step 1 waits for the build; the tail goes first, unmerged, the checkpoint answers
    tail, answer = peer.messages()
    assert isinstance(tail, SyncUpdate)
    assert answer == SyncStep2(state)
    fresh: Doc[Any] = Doc()
    for update in (tail.update, answer.update):
        fresh.apply_update(update)
    assert str(fresh.get("t", type=Text)) == "lokissa ennen kaatumista"
    assert fresh.get_state() == source.get_state()
    await wait_until(lambda: len(peer.frames) == 3, what="our sync step 1")
    assert peer.messages()[2] == SyncStep1(source.get_state())


@pytest.mark.asyncio
async def test_our_state_vector_waits_until_the_answer_has_left(
    hub: CollabHub, store: GatedStore
) -> None:
    await checkpointed(store, "slow", "hidas alku")
    peer = RecordingPeer("fresh", unsent=4_000_000)  # the answer did not fit the socket's buffer
    room = await hub.rooms.join("slow", peer, writer_session())

    room.receive(peer, encode(SyncStep1(b"\x00")), 0.0)
    await wait_until(lambda: peer.buffered_asked >= 3, what="the build looking at the buffer")
    assert [type(m) for m in peer.messages()] == [SyncStep2]

    peer.unsent = 0
    await wait_until(lambda: len(peer.frames) == 2, what="our sync step 1")
    assert peer.messages()[1] == SyncStep1(room.doc.get_state())


@pytest.mark.asyncio
async def test_a_peer_whose_answer_never_leaves_is_greeted_after_the_patience(
    hub: CollabHub, store: GatedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(room_document, "DRAIN_PATIENCE_SECONDS", 0.05)
    await checkpointed(store, "stuck", "jumissa")
    peer = RecordingPeer("stuck", unsent=1)
    room = await hub.rooms.join("stuck", peer, writer_session())

    room.receive(peer, encode(SyncStep1(b"\x00")), 0.0)

    await wait_until(lambda: len(peer.frames) == 2, what="our sync step 1")
    assert peer.messages()[1] == SyncStep1(room.doc.get_state())


@pytest.mark.asyncio
async def test_an_update_to_a_room_not_yet_built_is_applied_and_relayed(
    hub: CollabHub, store: GatedStore
) -> None:
    await checkpointed(store, "write-first", "alku")
    writer, reader = RecordingPeer("writer"), RecordingPeer("reader")
    room = await hub.rooms.join("write-first", writer, writer_session())
    await hub.rooms.join("write-first", reader, writer_session())
    source: Doc[Any] = Doc()
    source.get("t", type=Text).insert(0, "uusi ")
    update = source.get_update()

    room.receive(writer, encode(SyncUpdate(update)), 0.0)

    await wait_until(lambda: SyncUpdate(update) in reader.messages(), what="the relay")
    assert [type(m) for m in writer.messages()] == [SyncStep1]
    text = text_of(room.encoded_state())
    assert "uusi" in text
    assert "alku" in text


@pytest.mark.asyncio
async def test_a_crowd_joining_a_quiet_room_shares_one_encoding_that_follows_changes(
    hub: CollabHub, store: GatedStore
) -> None:
    await checkpointed(store, "crowd", "alku")
    first, second, third = (RecordingPeer(label) for label in ("first", "second", "third"))
    room = await hub.rooms.join("crowd", first, writer_session())
    await hub.rooms.join("crowd", second, writer_session())
    room.receive(first, encode(SyncStep1(b"\x00")), 0.0)
    room.receive(second, encode(SyncStep1(b"\x00")), 0.0)
    answers = [m for p in (first, second) for m in p.messages() if isinstance(m, SyncStep2)]
    assert answers[0] == answers[1]
    source: Doc[Any] = Doc()
    source.get("t", type=Text).insert(0, "lisää ")
    room.receive(first, encode(SyncUpdate(source.get_update())), 0.0)
    await wait_until(lambda: room.settled, what="the commit")

    await hub.rooms.join("crowd", third, writer_session())
    room.receive(third, encode(SyncStep1(b"\x00")), 0.0)

    (answer,) = (m for m in third.messages() if isinstance(m, SyncStep2))
    text = text_of(answer.update)
    assert "lisää" in text
    assert "alku" in text


@pytest.mark.asyncio
async def test_a_checkpoint_that_cannot_be_built_closes_the_room_like_a_failed_load(
    hub: CollabHub, store: GatedStore
) -> None:
    (position,) = await store.append([PendingUpdate("broken", b"\x01\x02")])
    await store.save_checkpoint("broken", b"not an update at all", position)
    peer = RecordingPeer("writer")
    room = await hub.rooms.join("broken", peer, writer_session())
    source: Doc[Any] = Doc()
    source.get("t", type=Text).insert(0, "x")

    with pytest.raises(InvalidUpdate):  # the endpoint ends this connection (and logs it)
        room.receive(peer, encode(SyncUpdate(source.get_update())), 0.0)

    assert peer.closed is not None
    assert peer.closed[0] == CloseCode.INTERNAL_ERROR
    assert hub.rooms.get("broken") is None
