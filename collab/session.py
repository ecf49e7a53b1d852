"""What one peer's message means for the room, as plain data: no IO, no document access.

The read-only rule lives here: a peer that may not write gets its sync step 2 and update
messages refused, whatever their bytes, so the room never sees them.
"""

from __future__ import annotations

from dataclasses import dataclass

from collab.errors import CloseCode
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
    """Record the entries and relay `message` to every peer, the sender included."""

    entries: list[AwarenessEntry]
    message: bytes


@dataclass(frozen=True, slots=True)
class AnswerAwarenessQuery:
    """Send this peer every awareness state the room knows."""


@dataclass(frozen=True, slots=True)
class Refuse:
    """Drop the message; it changes nothing for anyone."""

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
    """Per-connection protocol state: its write permission and the awareness ids it introduced."""

    __slots__ = ("awareness_ids", "can_write")

    def __init__(self, *, can_write: bool) -> None:
        self.can_write = can_write
        self.awareness_ids: set[int] = set()

    def receive(self, data: bytes) -> Effect:
        """Decide what one binary frame from this peer means."""
        try:
            message = decode(data)
        except ProtocolError as exc:
            return Close(CloseCode.PROTOCOL_ERROR, str(exc))
        if isinstance(message, SyncUpdate | SyncStep2):
            if not self.can_write:
                return Refuse("document is read-only for this connection")
            if message.update == EMPTY_UPDATE:
                return NOTHING
            if isinstance(message, SyncUpdate):
                return ApplyUpdate(message.update, data)
            return ApplyUpdate(message.update, encode(SyncUpdate(message.update)))
        if isinstance(message, SyncStep1):
            return AnswerStep1(message.state_vector)
        if isinstance(message, AwarenessMessage):
            try:
                entries = decode_awareness(message.update)
            except ProtocolError as exc:
                return Close(CloseCode.PROTOCOL_ERROR, f"awareness: {exc}")
            for entry in entries:
                if entry.removed:
                    self.awareness_ids.discard(entry.client_id)
                else:
                    self.awareness_ids.add(entry.client_id)
            return RelayAwareness(entries, data)
        if isinstance(message, QueryAwareness):
            return AnswerAwarenessQuery()
        assert isinstance(message, AuthDenied)
        return Close(CloseCode.UNSUPPORTED_DATA, "clients may not send auth messages")
