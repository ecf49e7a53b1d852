"""Fan-out between server processes that serve the same documents.

Each process relays to its own peers what its rooms commit; the bus carries the same messages
to the other processes, which apply them and relay them to theirs. The database stays the
source of truth: an update is published only after its commit, is never logged again by a
receiver, and is never published again (every message carries the id of the process that
published it, and each process ignores its own). A process that missed messages (the bus was
down, or it subscribed late) catches up from the database, never from the bus.

`LocalBus` is the default: one process holds every peer of a document, so there is nothing
to carry. The envelope codec below is pure, for the Redis bus and its tests.
"""

from __future__ import annotations

import enum
import struct
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

_HEADER = struct.Struct(">BQB")  # kind, log position, origin length
_MAX_ORIGIN = 255


class BusKind(enum.IntEnum):
    UPDATE = 1  # a committed document update (y-protocols sync message)
    AWARENESS = 2  # an awareness message, already filtered by the publishing process
    RESYNC = 3  # the publisher could not send some of its updates: catch up from the database
    REVOKE_LINK = 4  # a share link was revoked: close its sockets everywhere (payload: link id)
    WORKSHOP_CHANGED = 5  # a workshop's row changed: forget what was read of it (payload: id)
    LOCKS = 6  # a document's locked targets changed (payload: JSON {document, targets})


CONTROL = ""
"""The `document` of messages about the whole deployment rather than one document."""


@dataclass(frozen=True, slots=True)
class BusMessage:
    """What one process tells the others about one document (or, for `CONTROL`, about all)."""

    document: str
    kind: BusKind
    payload: bytes  # UPDATE: the update; AWARENESS: the y-protocols message as relayed
    origin: str  # the publishing process
    position: int = 0  # for updates, the log position the commit gave it


class BusEnvelopeError(ValueError):
    """Bytes on the bus that no Verstas process wrote."""


def encode_envelope(message: BusMessage) -> bytes:
    """The document travels in the channel name; everything else in these bytes."""
    origin = message.origin.encode()
    if len(origin) > _MAX_ORIGIN:
        raise ValueError(f"origin id {message.origin!r} is longer than {_MAX_ORIGIN} bytes")
    return _HEADER.pack(message.kind, message.position, len(origin)) + origin + message.payload


def decode_envelope(document: str, data: bytes) -> BusMessage:
    if len(data) < _HEADER.size:
        raise BusEnvelopeError(f"bus message of {len(data)} bytes is shorter than its header")
    kind, position, origin_length = _HEADER.unpack_from(data)
    start = _HEADER.size + origin_length
    if len(data) < start:
        raise BusEnvelopeError("bus message ends inside its origin id")
    try:
        bus_kind = BusKind(kind)
        origin = data[_HEADER.size : start].decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise BusEnvelopeError(f"bus message header is invalid: {exc}") from None
    return BusMessage(document, bus_kind, data[start:], origin, position)


def new_origin() -> str:
    """A process id that no other process, now or after a restart, will share."""
    return uuid.uuid4().hex[:16]


@dataclass(slots=True)
class BusStats:
    """Plain counters, read by metrics."""

    published: int = 0
    received: int = 0
    dropped: int = 0  # not published (bus down or queue full); the receivers catch up later
    invalid: int = 0
    outages: int = 0
    resyncs: int = 0


Deliver = Callable[[BusMessage], None]
"""Hands a message from another process to the rooms (called on the event loop)."""

Resync = Callable[[], None]
"""The bus came back after an outage: every loaded document must catch up from the database."""


class Bus(Protocol):
    """The interface the rooms use; `LocalBus` and `RedisBus` implement it."""

    @property
    def origin(self) -> str:
        """This process's id on the bus."""
        ...

    stats: BusStats

    @property
    def exclusive(self) -> bool:
        """True when no other process writes this process's documents (no fan-out): only then
        does a room's own commit position say that it holds every update up to it."""
        ...

    @property
    def healthy(self) -> bool:
        """False while messages cannot be carried (degraded: each process serves its own)."""
        ...

    async def start(self, deliver: Deliver, resync: Resync) -> None: ...

    async def stop(self) -> None: ...

    async def subscribe(self, document: str) -> None:
        """Start receiving the document's messages; called before the document is read from
        the database, so that every update committed after that read arrives."""

    def unsubscribe(self, document: str) -> None: ...

    def publish(self, message: BusMessage) -> None:
        """Queue a message for the other processes; never blocks, never raises."""


class LocalBus:
    """One process serves every peer: nothing to carry, always healthy."""

    def __init__(self) -> None:
        self._origin = new_origin()
        self.stats = BusStats()

    @property
    def origin(self) -> str:
        return self._origin

    @property
    def exclusive(self) -> bool:
        return True

    @property
    def healthy(self) -> bool:
        return True

    async def start(self, deliver: Deliver, resync: Resync) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def subscribe(self, document: str) -> None:
        return None

    def unsubscribe(self, document: str) -> None:
        return None

    def publish(self, message: BusMessage) -> None:
        return None
