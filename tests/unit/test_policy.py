"""Write policies and the session's count of refused writes: a reader's writes change nothing."""

from __future__ import annotations

from collab.errors import CloseCode
from collab.lazy_doc import LazyDoc
from collab.limits import Limits
from collab.policy import READ_ONLY, AllOf, RolePolicy
from collab.protocol import EMPTY_UPDATE, SyncStep2, SyncUpdate, encode
from collab.session import (
    MAX_FORBIDDEN_WRITES,
    ApplyUpdate,
    Close,
    Effect,
    Nothing,
    PeerSession,
    Refuse,
)

UPDATE = b"\x01\x01\x07\x00\x04\x01\x01t\x01a\x00"
DOCUMENT = LazyDoc(state=EMPTY_UPDATE)


def session(*, can_write: bool) -> PeerSession:
    return PeerSession(can_write=can_write, limits=Limits(), now=0.0)


def written(peer: PeerSession, data: bytes) -> Effect:
    """What the room does with a frame: the session's decision, then the role's."""
    effect = peer.receive(data, 0.0)
    if isinstance(effect, ApplyUpdate):
        refusal = RolePolicy().refusal(peer, effect.update, DOCUMENT)
        if refusal is not None:
            return peer.refused_write(refusal)
    return effect


def test_read_only_peer_cannot_write_by_step2_or_update() -> None:
    reader = session(can_write=False)
    for message in (SyncUpdate(UPDATE), SyncStep2(UPDATE)):
        effect = written(reader, encode(message))
        assert isinstance(effect, Refuse)
        assert effect.key == "read_only"


def test_a_writer_passes_the_role_policy() -> None:
    assert RolePolicy().refusal(session(can_write=True), UPDATE, DOCUMENT) is None


def test_a_readers_echo_of_what_the_document_holds_writes_nothing_and_passes() -> None:
    """pycrdt's provider sends back every update it receives, on documents it may only read."""
    held = LazyDoc(state=UPDATE)
    assert RolePolicy().refusal(session(can_write=False), UPDATE, held) is None
    assert RolePolicy().refusal(session(can_write=False), UPDATE, DOCUMENT) is READ_ONLY


def test_a_readers_empty_step2_is_no_attempt_to_write() -> None:
    reader = session(can_write=False)
    for _ in range(MAX_FORBIDDEN_WRITES):
        assert isinstance(written(reader, encode(SyncStep2(EMPTY_UPDATE))), Nothing)
    assert isinstance(written(reader, encode(SyncUpdate(UPDATE))), Refuse)


def test_repeated_forbidden_writes_close_with_4403() -> None:
    reader = session(can_write=False)
    data = encode(SyncUpdate(UPDATE))
    effects = [written(reader, data) for _ in range(3)]
    assert [type(e) for e in effects] == [Refuse, Refuse, Close]
    last = effects[2]
    assert isinstance(last, Close)
    assert last.code is CloseCode.FORBIDDEN


class _Refuses:
    def __init__(self, refusal: Refuse | None) -> None:
        self.refusal_given = refusal
        self.seen: list[bytes] = []

    def refusal(self, writer: PeerSession, update: bytes, document: LazyDoc) -> Refuse | None:
        return self.refusal_given

    def applied(self, update: bytes) -> None:
        self.seen.append(update)


def test_all_of_answers_with_the_first_refusal_and_tells_every_policy_what_was_applied() -> None:
    locked = Refuse("locked", "locked")
    first, second = _Refuses(None), _Refuses(locked)
    both = AllOf([first, second, _Refuses(READ_ONLY)])
    assert both.refusal(session(can_write=True), UPDATE, DOCUMENT) is locked
    assert AllOf([first]).refusal(session(can_write=True), UPDATE, DOCUMENT) is None
    both.applied(UPDATE)
    assert first.seen == second.seen == [UPDATE]
