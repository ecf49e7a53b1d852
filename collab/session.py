"""What one peer's message means for the room, as plain data: no IO, no document access.

The read-only rule and the per-connection limits live here: a peer that may not write gets
its sync step 2 and update messages refused, whatever their bytes, so the room never sees
them; a peer that floods is closed; step 1 answers (each possibly the whole document) and
awareness relays are rationed.
"""

from __future__ import annotations

from dataclasses import dataclass

from collab.errors import CloseCode
from collab.limits import Limits, TokenBucket
from collab.protocol import (
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

# What Yjs encodes for "nothing": no structs, empty delete set. Clients answer the server's
# step 1 with it whenever they have nothing new; logging it would only grow the log.
EMPTY_UPDATE = b"\x00\x00"


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

    `message` is the frame as received; when `trimmed`, some entries were dropped and the
    room must encode the remaining ones again.
    """

    entries: list[AwarenessEntry]
    message: bytes
    trimmed: bool = False


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
    """Per-connection protocol state: write permission and the rate budgets."""

    __slots__ = ("_awareness", "_bytes", "_limits", "_messages", "_step1", "can_write")

    def __init__(self, *, can_write: bool, limits: Limits, now: float) -> None:
        self.can_write = can_write
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
            if not self.can_write:
                return Refuse("read_only", "document is read-only for this connection")
            if message.update == EMPTY_UPDATE:
                return NOTHING
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
        return RelayAwareness(kept, data, trimmed=len(kept) != len(entries))
