"""What one peer's message means for the room, as plain data: no IO, no document access.

The per-connection limits live here: a peer that floods is closed; step 1 answers (each
possibly the whole document) and awareness relays are rationed. Whether a peer may write an
update is the room's write policy's question (collab.policy); the session only counts the
refusals and closes a peer that keeps trying.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from collab.errors import CloseCode
from collab.limits import Limits, TokenBucket
from collab.protocol import (
    EMPTY_UPDATE,
    AuthDenied,
    AwarenessEntry,
    AwarenessMessage,
    ProtocolError,
    QueryAwareness,
    SyncStep1,
    SyncStep2,
    SyncUpdate,
    decode,
    decode_awareness,
    encode,
)
from collab.yupdate import decode_update

# Writes refused before the connection is closed with 4403: a client that greys out its UI
# correctly never sends one, a stale tab may send a few.
MAX_FORBIDDEN_WRITES = 3


@dataclass(frozen=True, slots=True)
class AnswerStep1:
    """Send this peer a step 2 with what its state vector lacks."""

    state_vector: bytes


@dataclass(frozen=True, slots=True)
class ApplyUpdate:
    """Apply, commit, then relay `message` (an update message) to the other peers."""

    update: bytes
    message: bytes


@dataclass(frozen=True, slots=True)
class RelayAwareness:
    """Record the entries and relay them to every peer, the sender included.

    `message` is the frame as received; when `rewritten`, entries were dropped or changed
    (a role stamped in) and the room must encode them again.
    """

    entries: list[AwarenessEntry]
    message: bytes
    rewritten: bool = False


@dataclass(frozen=True, slots=True)
class AnswerAwarenessQuery:
    """Send this peer every awareness state the room knows."""


@dataclass(frozen=True, slots=True)
class Refuse:
    """Drop the message; it changes nothing for anyone. `key` names the rule, for metrics."""

    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class Close:
    """End the connection with this code."""

    code: CloseCode
    reason: str


@dataclass(frozen=True, slots=True)
class Nothing:
    """A well-formed message that needs no action."""


Effect = (
    AnswerStep1 | ApplyUpdate | RelayAwareness | AnswerAwarenessQuery | Refuse | Close | Nothing
)

NOTHING = Nothing()


class PeerSession:
    """Per-connection protocol state: the rights admission granted and the rate budgets."""

    __slots__ = (
        "_awareness",
        "_bytes",
        "_forbidden",
        "_limits",
        "_messages",
        "_step1",
        "can_write",
        "role",
    )

    def __init__(
        self, *, can_write: bool, limits: Limits, now: float, role: str | None = None
    ) -> None:
        self.can_write = can_write
        self.role = role
        self._forbidden = 0
        self._limits = limits
        self._messages = TokenBucket(limits.messages_per_second, limits.message_burst, now)
        self._bytes = TokenBucket(limits.bytes_per_second, limits.byte_burst, now)
        self._step1 = TokenBucket(limits.step1_per_second, limits.step1_burst, now)
        self._awareness = TokenBucket(limits.awareness_per_second, limits.awareness_burst, now)

    def receive(self, data: bytes, now: float) -> Effect:
        """Decide what one binary frame from this peer means."""
        if not self._messages.take(now) or not self._bytes.take(now, len(data)):
            return Close(CloseCode.POLICY_VIOLATION, "rate limit exceeded")
        try:
            message = decode(data)
        except ProtocolError as exc:
            return Close(CloseCode.PROTOCOL_ERROR, str(exc))
        if isinstance(message, SyncUpdate | SyncStep2):
            # Every Yjs client answers the server's step 1 with a step 2, empty when it has
            # nothing new: from a reader that is no attempt to write.
            if message.update == EMPTY_UPDATE:
                return NOTHING
            if len(message.update) > self._limits.struct_check_bytes:
                refused = self._too_many_structs(message.update)
                if refused is not None:
                    return refused
            if isinstance(message, SyncUpdate):
                return ApplyUpdate(message.update, data)
            return ApplyUpdate(message.update, encode(SyncUpdate(message.update)))
        if isinstance(message, SyncStep1):
            if not self._step1.take(now):
                return Refuse("step1_rate", "sync step 1 too often")
            return AnswerStep1(message.state_vector)
        if isinstance(message, AwarenessMessage):
            return self._awareness_update(message, data, now)
        if isinstance(message, QueryAwareness):
            if not self._step1.take(now):
                return Refuse("step1_rate", "awareness query too often")
            return AnswerAwarenessQuery()
        assert isinstance(message, AuthDenied)
        return Close(CloseCode.UNSUPPORTED_DATA, "clients may not send auth messages")

    def _too_many_structs(self, update: bytes) -> Close | None:
        """Large updates are read before pycrdt sees them (a few microseconds per struct),
        since some shapes cost pycrdt memory quadratic in their struct count."""
        try:
            structs = len(decode_update(update).structs)
        except ProtocolError as exc:
            return Close(CloseCode.PROTOCOL_ERROR, f"invalid update: {exc}")
        if structs > self._limits.max_update_structs:
            return Close(
                CloseCode.MESSAGE_TOO_BIG,
                f"update of {structs} structs (at most {self._limits.max_update_structs})",
            )
        return None

    def refused_write(self, refusal: Refuse) -> Refuse | Close:
        """The room's write policy refused an update from this peer: drop it. A peer that may
        not write at all is closed after a few (a client that mirrors its role never sends
        one); one that may write keeps its connection (a lock refused a keystroke that raced
        it: the client is told why, see Room.receive)."""
        if self.can_write:
            return refusal
        self._forbidden += 1
        if self._forbidden >= MAX_FORBIDDEN_WRITES:
            return Close(CloseCode.FORBIDDEN, "this connection may not write here")
        return refusal

    def _awareness_update(self, message: AwarenessMessage, data: bytes, now: float) -> Effect:
        try:
            entries = decode_awareness(message.update)
        except ProtocolError as exc:
            return Close(CloseCode.PROTOCOL_ERROR, f"awareness: {exc}")
        if not self._awareness.take(now):
            return Refuse("awareness_rate", "awareness updates too often")
        cap = self._limits.max_awareness_bytes
        kept = [entry for entry in entries if len(entry.state.encode("utf-8")) <= cap]
        if not kept:
            return Refuse("awareness_size", f"awareness state over {cap} bytes")
        checked = [e for e in (self._checked_state(entry) for entry in kept) if e is not None]
        if not checked:
            return Refuse("awareness_state", "awareness state is not a JSON object or null")
        rewritten = len(checked) != len(entries) or any(
            a.state != b.state for a, b in zip(checked, kept, strict=False)
        )
        return RelayAwareness(checked, data, rewritten=rewritten)

    def _checked_state(self, entry: AwarenessEntry) -> AwarenessEntry | None:
        """Only JSON objects (or null) pass: every Yjs client JSON.parses what we relay.

        The connection's role is stamped into the state, so no one can pose as a facilitator.
        """
        if entry.removed:
            return entry
        try:
            state = json.loads(entry.state)
        except ValueError:
            return None
        if not isinstance(state, dict):
            return None
        if self.role is None:
            return entry
        state["role"] = self.role
        stamped = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
        return AwarenessEntry(entry.client_id, entry.clock, stamped)
