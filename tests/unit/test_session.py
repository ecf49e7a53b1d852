"""Per-peer decisions: what each message means, the read-only rule and the rate budgets."""

from __future__ import annotations

from dataclasses import replace

from collab.errors import CloseCode
from collab.limits import Limits
from collab.protocol import (
    EMPTY_UPDATE,
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
LIMITS = Limits()


def session(*, can_write: bool = True, limits: Limits = LIMITS) -> PeerSession:
    return PeerSession(can_write=can_write, limits=limits, now=0.0)


def awareness(*entries: AwarenessEntry) -> bytes:
    return encode(AwarenessMessage(encode_awareness(list(entries))))


def test_update_is_applied_and_relayed_as_sent() -> None:
    data = encode(SyncUpdate(UPDATE))
    assert session().receive(data, 0.0) == ApplyUpdate(UPDATE, data)


def test_step2_is_relayed_as_an_update_message() -> None:
    effect = session().receive(encode(SyncStep2(UPDATE)), 0.0)
    assert effect == ApplyUpdate(UPDATE, encode(SyncUpdate(UPDATE)))


def test_read_only_peer_may_still_sync_and_be_aware() -> None:
    reader = session(can_write=False)
    assert reader.receive(encode(SyncStep1(b"\x00")), 0.0) == AnswerStep1(b"\x00")
    assert reader.receive(encode(QueryAwareness()), 0.0) == AnswerAwarenessQuery()


def test_empty_update_needs_nothing() -> None:
    assert isinstance(session().receive(encode(SyncStep2(EMPTY_UPDATE)), 0.0), Nothing)


def test_awareness_is_relayed_as_received() -> None:
    data = awareness(AwarenessEntry(5, 1, "{}"))
    assert session().receive(data, 0.0) == RelayAwareness([AwarenessEntry(5, 1, "{}")], data)


def test_oversized_awareness_states_are_dropped() -> None:
    big = AwarenessEntry(6, 1, '"' + "ä" * 4096 + '"')  # 8194 bytes of UTF-8
    small = AwarenessEntry(5, 1, "{}")
    effect = session().receive(awareness(small, big), 0.0)
    assert isinstance(effect, RelayAwareness)
    assert effect.entries == [small]
    assert effect.rewritten
    alone = session().receive(awareness(big), 0.0)
    assert isinstance(alone, Refuse)
    assert alone.key == "awareness_size"


def test_garbage_and_client_auth_close_the_connection() -> None:
    peer = session()
    garbage = peer.receive(b"\xff\xff", 0.0)
    assert isinstance(garbage, Close)
    assert garbage.code is CloseCode.PROTOCOL_ERROR
    bad_awareness = peer.receive(encode(AwarenessMessage(b"\x05")), 0.0)
    assert isinstance(bad_awareness, Close)
    assert bad_awareness.code is CloseCode.PROTOCOL_ERROR
    auth = peer.receive(encode(AuthDenied("x")), 0.0)
    assert isinstance(auth, Close)
    assert auth.code is CloseCode.UNSUPPORTED_DATA


def test_a_flood_is_closed_with_1008_after_the_burst() -> None:
    peer = session(limits=replace(LIMITS, messages_per_second=10, message_burst=20))
    data = encode(SyncUpdate(UPDATE))
    effects = [peer.receive(data, 0.0) for _ in range(21)]
    assert all(isinstance(e, ApplyUpdate) for e in effects[:20])
    last = effects[20]
    assert isinstance(last, Close)
    assert last.code is CloseCode.POLICY_VIOLATION
    assert isinstance(peer.receive(data, 0.1), ApplyUpdate)


def test_byte_budget_counts_message_sizes() -> None:
    peer = session(limits=replace(LIMITS, bytes_per_second=100, byte_burst=1000))
    data = encode(SyncUpdate(bytes(600)))
    assert isinstance(peer.receive(data, 0.0), ApplyUpdate)
    second = peer.receive(data, 0.0)
    assert isinstance(second, Close)
    assert second.code is CloseCode.POLICY_VIOLATION


def test_step1_answers_are_rationed() -> None:
    peer = session(limits=replace(LIMITS, step1_per_second=2, step1_burst=3))
    step1 = encode(SyncStep1(b"\x00"))
    effects = [peer.receive(step1, 0.0) for _ in range(4)]
    assert [type(e) for e in effects] == [AnswerStep1] * 3 + [Refuse]
    assert isinstance(peer.receive(step1, 0.5), AnswerStep1)


def test_awareness_floods_are_dropped_not_closed() -> None:
    peer = session(limits=replace(LIMITS, awareness_per_second=1, awareness_burst=2))
    data = awareness(AwarenessEntry(5, 1, "{}"))
    effects = [peer.receive(data, 0.0) for _ in range(3)]
    assert [type(e) for e in effects] == [RelayAwareness, RelayAwareness, Refuse]


def test_role_is_stamped_into_awareness_so_no_one_poses_as_facilitator() -> None:
    peer = PeerSession(can_write=False, limits=LIMITS, now=0.0, role="viewer")
    effect = peer.receive(awareness(AwarenessEntry(5, 1, '{"name":"Ö","role":"facilitator"}')), 0)
    assert isinstance(effect, RelayAwareness)
    assert effect.rewritten
    assert effect.entries == [AwarenessEntry(5, 1, '{"name":"Ö","role":"viewer"}')]


def test_awareness_states_must_be_json_objects() -> None:
    good = AwarenessEntry(5, 1, '{"a":1}')
    effect = session().receive(awareness(good, AwarenessEntry(6, 1, "{broken")), 0.0)
    assert isinstance(effect, RelayAwareness)
    assert effect.entries == [good]
    assert effect.rewritten
    for bad in ("[1,2]", '"text"', "nope"):
        refused = session().receive(awareness(AwarenessEntry(6, 1, bad)), 0.0)
        assert isinstance(refused, Refuse)
    removal = AwarenessEntry(6, 2, "null")
    assert session().receive(awareness(removal), 0.0) == RelayAwareness(
        [removal], awareness(removal)
    )


def _var_uint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def _chained_characters(count: int) -> bytes:
    """One character after another as separate structs of one client (about 6 bytes each):
    the shape that costs pycrdt memory quadratic in `count`; yjs merges such runs."""
    client = _var_uint(7)
    first = b"\x04\x01\x01t\x01a"  # a string in root text "t"
    body = [first] + [b"\x84" + client + _var_uint(clock) + b"\x01a" for clock in range(count - 1)]
    return b"\x01" + _var_uint(count) + client + b"\x00" + b"".join(body) + b"\x00"


def test_an_update_of_too_many_structs_is_refused_before_pycrdt_sees_it() -> None:
    limits = replace(LIMITS, max_message_bytes=1 << 24)
    hostile = _chained_characters(LIMITS.max_update_structs + 1)
    assert len(hostile) > LIMITS.struct_check_bytes
    effect = session(limits=limits).receive(encode(SyncUpdate(hostile)), 0.0)
    assert isinstance(effect, Close)
    assert effect.code is CloseCode.MESSAGE_TOO_BIG


def test_a_large_update_within_the_struct_limit_passes() -> None:
    large = _chained_characters(LIMITS.struct_check_bytes // 5)
    assert len(large) > LIMITS.struct_check_bytes
    effect = session().receive(encode(SyncStep2(large)), 0.0)
    assert isinstance(effect, ApplyUpdate)
    assert effect.update == large
