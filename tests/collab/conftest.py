"""In-process rooms over a real SQLite store: peers are recorders, the store can be held or broken.

`GatedStore` wraps the real store to control *when* appends complete (to observe ordering) and
to make them fail (to observe failure handling); everything else is the real thing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest_asyncio

from collab.errors import CloseCode
from collab.hub import CollabHub, HubConfig
from collab.limits import Limits
from collab.peer import Frame
from collab.protocol import Message, decode
from collab.session import PeerSession
from documents.checkpoints import CheckpointPolicy
from documents.store.base import Store
from documents.store.factory import create_store
from documents.store.log import LogEntry, PendingUpdate, StoredDocument
from tests.support.databases import migrated_sqlite


class GatedStore:
    """The real store, with appends that can be held at a gate or made to fail."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.gate = asyncio.Event()
        self.gate.set()
        self.appends_started = 0
        self.fail_appends: Exception | None = None
        self.fail_loads = 0
        self.loads = 0

    async def open(self) -> None:
        await self.inner.open()

    async def close(self) -> None:
        await self.inner.close()

    async def ping(self) -> None:
        await self.inner.ping()

    async def append(self, updates: Sequence[PendingUpdate]) -> list[int]:
        self.appends_started += 1
        await self.gate.wait()
        if self.fail_appends is not None:
            raise self.fail_appends
        return await self.inner.append(updates)

    async def load(self, document: str, *, upto: int | None = None) -> StoredDocument:
        self.loads += 1
        if self.fail_loads:
            self.fail_loads -= 1
            raise ConnectionError("database unavailable")
        return await self.inner.load(document, upto=upto)

    async def entries_after(self, document: str, position: int) -> list[LogEntry]:
        return await self.inner.entries_after(document, position)

    async def save_checkpoint(self, document: str, state: bytes, position: int) -> None:
        await self.inner.save_checkpoint(document, state, position)


@dataclass(eq=False)
class RecordingPeer:
    """A peer that keeps every frame (framer is the identity) and how it was closed."""

    label: str
    frames: list[bytes] = field(default_factory=list)
    writes: int = 0  # calls of send and send_frames
    unsent: int = 0  # what `buffered` says: bytes the network has not taken yet
    buffered_asked: int = 0  # calls of `buffered`
    closed: tuple[CloseCode, str] | None = None

    def send(self, frame: Frame) -> None:
        if self.closed is None:
            self.frames.append(whole(frame))
            self.writes += 1

    def send_frames(self, frames: Sequence[Frame]) -> None:
        if self.closed is None:
            self.frames.extend(whole(frame) for frame in frames)
            self.writes += 1

    def buffered(self) -> int:
        self.buffered_asked += 1
        return self.unsent

    def close(self, code: CloseCode, reason: str) -> None:
        if self.closed is None:
            self.closed = (code, reason)

    def messages(self) -> list[Message]:
        return [decode(frame) for frame in self.frames]


def whole(frame: Frame) -> bytes:
    """A frame's bytes, whether it came whole or in parts."""
    return frame if isinstance(frame, bytes) else b"".join(frame)


def identity(*parts: bytes) -> bytes:
    return b"".join(parts)


def writer_session() -> PeerSession:
    return PeerSession(can_write=True, limits=Limits(), now=0.0)


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[GatedStore]:
    gated = GatedStore(create_store(migrated_sqlite(tmp_path / "rooms.db")))
    await gated.open()
    yield gated
    await gated.close()


@pytest_asyncio.fixture
async def hub(store: GatedStore) -> AsyncIterator[CollabHub]:
    config = HubConfig(
        checkpoints=CheckpointPolicy(min_idle_entries=1),
        checkpoint_interval=3600,
        unload_delay=0,
    )
    collab = CollabHub(store, identity, config)
    await collab.start()
    yield collab
    store.gate.set()  # a test that failed while holding the gate must not hang the teardown
    await collab.stop()
