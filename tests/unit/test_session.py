"""Per-peer decisions: what each message means, and the read-only rule."""

from __future__ import annotations

from collab.errors import CloseCode
from collab.protocol import (
    AuthDenied,
    AwarenessEntry,
    AwarenessMessage,
    QueryAwareness,
    SyncStep1,
    SyncStep2,
    SyncUpdate,
    encode,
    encode_awareness,
)
from collab.session import (
    EMPTY_UPDATE,
    AnswerAwarenessQuery,
    AnswerStep1,
    ApplyUpdate,
    Close,
    Nothing,
    PeerSession,
    Refuse,
    RelayAwareness,
)

UPDATE = b"\x01\x01\x07\x00\x04\x01\x01t\x01a\x00"


def test_update_is_applied_and_relayed_as_sent() -> None:
    data = encode(SyncUpdate(UPDATE))
    assert PeerSession(can_write=True).receive(data) == ApplyUpdate(UPDATE, data)


def test_step2_is_relayed_as_an_update_message() -> None:
    effect = PeerSession(can_write=True).receive(encode(SyncStep2(UPDATE)))
    assert effect == ApplyUpdate(UPDATE, encode(SyncUpdate(UPDATE)))


def test_read_only_peer_cannot_write_by_step2_or_update() -> None:
    session = PeerSession(can_write=False)
    for message in (SyncUpdate(UPDATE), SyncStep2(UPDATE)):
        assert isinstance(session.receive(encode(message)), Refuse)


def test_read_only_peer_may_still_sync_and_be_aware() -> None:
    session = PeerSession(can_write=False)
    assert session.receive(encode(SyncStep1(b"\x00"))) == AnswerStep1(b"\x00")
    assert session.receive(encode(QueryAwareness())) == AnswerAwarenessQuery()


def test_empty_update_needs_nothing() -> None:
    assert isinstance(PeerSession(can_write=True).receive(encode(SyncStep2(EMPTY_UPDATE))), Nothing)


def test_awareness_ids_introduced_and_removed_by_the_peer() -> None:
    session = PeerSession(can_write=False)
    here = encode(AwarenessMessage(encode_awareness([AwarenessEntry(5, 1, "{}")])))
    effect = session.receive(here)
    assert isinstance(effect, RelayAwareness)
    assert effect.message == here
    assert session.awareness_ids == {5}
    session.receive(encode(AwarenessMessage(encode_awareness([AwarenessEntry(5, 2, "null")]))))
    assert session.awareness_ids == set()


def test_garbage_and_client_auth_close_the_connection() -> None:
    session = PeerSession(can_write=True)
    garbage = session.receive(b"\xff\xff")
    assert isinstance(garbage, Close)
    assert garbage.code is CloseCode.PROTOCOL_ERROR
    bad_awareness = session.receive(encode(AwarenessMessage(b"\x05")))
    assert isinstance(bad_awareness, Close)
    assert bad_awareness.code is CloseCode.PROTOCOL_ERROR
    auth = session.receive(encode(AuthDenied("x")))
    assert isinstance(auth, Close)
    assert auth.code is CloseCode.UNSUPPORTED_DATA
