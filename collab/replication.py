"""Keeping a room in step with the other server processes that serve its document.

A room is given one of two: `Solo` when this process alone writes its documents (the
in-process bus): its own commits are the log, nothing is published and nothing read back.
`Shared` when several processes write them through one database and a bus (Redis): what a
room commits is published after the commit; what others committed arrives from the bus, or,
whenever something may have been missed, from the log (`catch_up`), already durable: applied
and relayed, never logged again. Hocuspocus keeps Redis in an extension the same way; the room
itself never asks which one it has.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

import structlog

from collab.bus import Bus, BusKind, BusMessage
from collab.presence import Presence
from collab.protocol import AwarenessMessage, ProtocolError, decode, decode_awareness
from documents.store.log import UpdateLog

log = structlog.get_logger(__name__)


class Room(Protocol):
    """What replication needs of a room (collab.room.Room)."""

    name: str
    position: int
    """Every update committed up to this log position is in the room's document."""
    failed: bool
    presence: Presence

    def apply_committed(self, update: bytes, origin: str) -> None:
        """Apply and relay an update another process committed; never log it."""


class Replication(Protocol):
    @property
    def log_is_shared(self) -> bool:
        """True when other processes append to this process's documents' logs: a room's own
        commits then do not say which state a log position stands for; only a read does."""
        ...

    def committed(self, room: Room, updates: Sequence[bytes], positions: Sequence[int]) -> None:
        """The room's updates are durable at these log positions (one each, in order)."""

    def awareness(self, room: Room, message: bytes) -> None:
        """The room relayed this awareness message to its own peers."""

    def waiting(self, room: Room) -> None:
        """An update waits for dependencies: another process may have committed them."""

    async def catch_up(self, room: Room) -> None:
        """Apply what others committed past the room's position (raises if the log cannot
        be read)."""

    def deliver(self, room: Room, message: BusMessage, now: float) -> None:
        """A message another process published about the room's document."""

    def resync(self, rooms: Sequence[Room]) -> None:
        """Messages may have been lost (the bus was down): every room catches up."""

    def forget(self, room: Room) -> None:
        """The room left the registry: whatever was kept for it goes too."""


class Solo:
    """This process alone writes its documents: its commit positions are the log's."""

    log_is_shared = False

    def committed(self, room: Room, updates: Sequence[bytes], positions: Sequence[int]) -> None:
        room.position = positions[-1]

    def awareness(self, room: Room, message: bytes) -> None:
        return None

    def waiting(self, room: Room) -> None:
        return None  # nobody else writes: only the sender can still send what is missing

    async def catch_up(self, room: Room) -> None:
        return None

    def deliver(self, room: Room, message: BusMessage, now: float) -> None:
        return None

    def resync(self, rooms: Sequence[Room]) -> None:
        return None

    def forget(self, room: Room) -> None:
        return None


class Shared:
    """Several processes write the documents: publish after commit, read back what others did.

    Positions a room applied since its last read of the log (its own commits and the bus's) are
    remembered per document, so a catch-up skips them. One catch-up per room at a time; asking
    during one runs another right after it.
    """

    log_is_shared = True

    def __init__(self, bus: Bus, log_store: UpdateLog) -> None:
        self._bus = bus
        self._store = log_store
        self._known: dict[str, set[int]] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()

    def committed(self, room: Room, updates: Sequence[bytes], positions: Sequence[int]) -> None:
        self._known.setdefault(room.name, set()).update(positions)
        for update, position in zip(updates, positions, strict=True):
            self._bus.publish(
                BusMessage(room.name, BusKind.UPDATE, update, self._bus.origin, position)
            )

    def awareness(self, room: Room, message: bytes) -> None:
        self._bus.publish(BusMessage(room.name, BusKind.AWARENESS, message, self._bus.origin))

    def waiting(self, room: Room) -> None:
        self._schedule(room)

    def deliver(self, room: Room, message: BusMessage, now: float) -> None:
        if room.failed:
            return
        if message.kind is BusKind.UPDATE:
            if message.position > room.position:
                self._known.setdefault(room.name, set()).add(message.position)
                room.apply_committed(message.payload, message.origin)
        elif message.kind is BusKind.AWARENESS:
            try:
                decoded = decode(message.payload)
                if not isinstance(decoded, AwarenessMessage):
                    raise ProtocolError("not an awareness message")
                entries = decode_awareness(decoded.update)
            except ProtocolError as exc:
                log.error(
                    "bus_awareness_invalid",
                    document=room.name,
                    origin=message.origin,
                    error=str(exc),
                )
                return
            room.presence.remote(entries, message.origin, now)
        else:
            self._schedule(room)

    async def catch_up(self, room: Room) -> None:
        entries = await self._store.entries_after(room.name, room.position)
        if not entries:
            return
        before = room.position
        known = self._known.get(room.name, set())
        for position, update in entries:
            if position > room.position:
                if position not in known:
                    room.apply_committed(update, "log")
                room.position = position
        self._known[room.name] = {p for p in known if p > room.position}
        log.info("document_caught_up", document=room.name, since=before, position=room.position)

    def resync(self, rooms: Sequence[Room]) -> None:
        for room in rooms:
            self._schedule(room)

    def forget(self, room: Room) -> None:
        self._known.pop(room.name, None)

    def _schedule(self, room: Room) -> None:
        if room.name in self._running:
            self._again.add(room.name)
            return
        task = asyncio.create_task(self._catch_up_loop(room), name=f"catch up {room.name}")
        self._running[room.name] = task
        task.add_done_callback(lambda _: self._running.pop(room.name, None))

    async def _catch_up_loop(self, room: Room) -> None:
        while True:
            self._again.discard(room.name)
            try:
                await self.catch_up(room)
            except Exception as exc:
                log.error("catch_up_failed", document=room.name, error=repr(exc))
                return
            if room.name not in self._again:
                return


def replication_for(bus: Bus, log_store: UpdateLog) -> Replication:
    """`Solo` on the in-process bus, `Shared` on one that other processes write through."""
    return Solo() if bus.exclusive else Shared(bus, log_store)
