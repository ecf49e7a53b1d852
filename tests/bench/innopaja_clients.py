"""The Innopaja bench's clients: Yjs sockets spoken by hand over `websockets`, light enough
for one process to play a full room (a typist per participant and the facilitator on the
content document, a watcher per participant on the session document).

A typist keeps a pycrdt document of the workshop's content, types at the end of its own cell
and never applies what others type: its updates reference only its own items and the server's
structure, so each is valid alone (as the load generator's are). Receivers do not build
documents: they read a received update's first struct's (client, clock) from its header and
look up when it was sent, in this process's shared table.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, Text, create_sync_message, create_update_message, handle_sync_message
from websockets.asyncio.client import ClientConnection, connect

from documents.access import DocumentKind
from documents.workshop_doc import load_document, text_at

SYNC, STEP2, UPDATE = 0, 1, 2


def var_uint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def update_of(message: bytes) -> bytes | None:
    """The update a sync step 2 or update message carries (None for anything else)."""
    if len(message) < 3 or message[0] != SYNC or message[1] not in (STEP2, UPDATE):
        return None
    length, pos = var_uint(message, 2)
    return message[pos : pos + length]


def first_struct(update: bytes) -> tuple[int, int] | None:
    """(client, clock) of an update's first struct; None when it has none (deletions only)."""
    groups, pos = var_uint(update, 0)
    if groups == 0:
        return None
    _, pos = var_uint(update, pos)
    client, pos = var_uint(update, pos)
    clock, _ = var_uint(update, pos)
    return client, clock


@dataclass
class Deliveries:
    """Every update sent, by its first struct, and every delivery's latency."""

    sent: dict[tuple[int, int], float] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)

    def reset(self) -> None:
        self.sent.clear()
        self.latencies_ms.clear()


@contextlib.asynccontextmanager
async def socket(url: str) -> AsyncIterator[ClientConnection]:
    async with connect(url, max_size=None, compression=None, open_timeout=30) as websocket:
        yield websocket


class Typist:
    """One person's content socket: types into its own cell, counts what others type."""

    def __init__(self, websocket: ClientConnection, cell: str, deliveries: Deliveries) -> None:
        self.websocket = websocket
        self.cell = cell
        self.deliveries = deliveries
        self.doc: Doc[Any] = Doc()
        self.synced = asyncio.Event()
        self.reader = asyncio.create_task(self.read())

    async def start(self) -> None:
        await self.websocket.send(create_sync_message(self.doc))
        await asyncio.wait_for(self.synced.wait(), 30)
        # The structure the server wrote, as a workshop document reads it.
        self.doc = load_document(DocumentKind.CONTENT, self.doc.get_update())
        self.text: Text = text_at(self.doc, self.cell)
        self.updates: list[bytes] = []
        self.doc.observe(lambda event: self.updates.append(event.update))

    async def read(self) -> None:
        async for message in self.websocket:
            if not isinstance(message, bytes) or not message or message[0] != SYNC:
                continue
            if message[1] == 0:  # the server's step 1: answer it
                reply = handle_sync_message(message[1:], self.doc)
                if reply is not None:
                    await self.websocket.send(reply)
                continue
            update = update_of(message)
            if update is None:
                continue
            if message[1] == STEP2 and not self.synced.is_set():
                self.doc.apply_update(update)
                self.synced.set()
                continue
            origin = first_struct(update)
            sent = self.deliveries.sent.get(origin) if origin else None
            if sent is not None and origin is not None and origin[0] != self.doc.client_id:
                self.deliveries.latencies_ms.append((time.monotonic() - sent) * 1000)

    async def type(self, characters: str) -> None:
        self.text.insert(len(self.text), characters)
        update = self.updates.pop()
        origin = first_struct(update)
        if origin is not None:
            self.deliveries.sent[origin] = time.monotonic()
        await self.websocket.send(create_update_message(update))

    async def close(self) -> None:
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader


class Watcher:
    """One person's session document socket: when each of the server's writes arrived."""

    def __init__(self, websocket: ClientConnection) -> None:
        self.websocket = websocket
        self.doc: Doc[Any] = Doc()
        self.arrivals: list[float] = []
        self.arrived = asyncio.Condition()
        self.synced = asyncio.Event()
        self.reader = asyncio.create_task(self.read())

    async def start(self) -> None:
        await self.websocket.send(create_sync_message(self.doc))
        await asyncio.wait_for(self.synced.wait(), 30)

    async def read(self) -> None:
        async for message in self.websocket:
            if not isinstance(message, bytes) or update_of(message) is None:
                continue
            if message[1] == STEP2 and not self.synced.is_set():
                self.synced.set()
                continue
            async with self.arrived:
                self.arrivals.append(time.monotonic())
                self.arrived.notify_all()

    async def first_after(self, since: float, timeout: float) -> float:
        """When the first write of the server after `since` arrived."""
        async with asyncio.timeout(timeout), self.arrived:
            await self.arrived.wait_for(lambda: bool(self.arrivals) and self.arrivals[-1] >= since)
        return next(at for at in self.arrivals if at >= since)

    async def close(self) -> None:
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader
