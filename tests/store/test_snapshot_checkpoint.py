"""A snapshot read from the log folds a tail past the checkpoint policy's bounds into a
checkpoint of the state it read: on both databases, the checkpoint is that state at that
position, and every later read (a fork, a room's load) starts from it."""

from __future__ import annotations

import uuid
from collections.abc import Coroutine, Sequence
from typing import Any

import pytest
from pycrdt import Doc, Text

from documents.checkpoints import CheckpointPolicy
from documents.store.base import Store
from documents.store.log import LogEntry, PendingUpdate, StoredDocument, replay, snapshot

FOLD_AT_TEN = CheckpointPolicy(max_entries=10)


async def typed(store: Store, document: str, doc: Doc[Any], words: Sequence[str]) -> None:
    """A client typing each word at the end of the text, one committed update per word."""
    text = doc.get("t", type=Text)
    updates = []
    for word in words:
        before = doc.get_state()
        text.insert(len(text), word)
        updates.append(PendingUpdate(document, doc.get_update(before)))
    await store.append(updates)


def built(update: bytes) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    doc.apply_update(update)
    return doc


@pytest.mark.asyncio
async def test_a_long_tail_read_is_folded_into_a_checkpoint_of_what_was_read(store: Store) -> None:
    document = f"test-{uuid.uuid4().hex}"
    source: Doc[Any] = Doc()
    await typed(store, document, source, [f"{n} " for n in range(25)])

    state, position = await snapshot(store, document, FOLD_AT_TEN)

    stored = await store.load(document)
    assert stored.tail == []
    assert stored.checkpoint_position == position == stored.last_position
    assert stored.checkpoint == state
    assert built(state).get_state() == source.get_state()
    assert str(built(state).get("t", type=Text)) == str(source.get("t", type=Text))

    await typed(store, document, source, ["lisää"])
    later, later_position = await snapshot(store, document, FOLD_AT_TEN)
    assert later_position > position
    assert str(built(later).get("t", type=Text)) == str(source.get("t", type=Text))
    assert (await store.load(document)).checkpoint_position == position  # one entry: not folded


@pytest.mark.asyncio
async def test_a_fold_handed_to_spawn_is_written_when_it_runs_not_before_the_answer(
    store: Store,
) -> None:
    document = f"test-{uuid.uuid4().hex}"
    source: Doc[Any] = Doc()
    await typed(store, document, source, [f"{n} " for n in range(25)])
    spawned: list[Coroutine[Any, Any, None]] = []

    state, position = await snapshot(store, document, FOLD_AT_TEN, spawn=spawned.append)

    assert len(spawned) == 1
    unfolded = await store.load(document)
    assert unfolded.checkpoint is None
    assert (state, position) == (replay(unfolded).get_update(), unfolded.last_position)
    await spawned[0]
    folded = await store.load(document)
    assert (folded.checkpoint, folded.checkpoint_position) == (state, position)
    assert folded.tail == []


@pytest.mark.asyncio
async def test_a_tail_within_the_bounds_is_read_without_a_write(store: Store) -> None:
    document = f"test-{uuid.uuid4().hex}"
    source: Doc[Any] = Doc()
    await typed(store, document, source, ["yksi ", "kaksi"])

    spawned: list[Coroutine[Any, Any, None]] = []
    state, position = await snapshot(store, document, FOLD_AT_TEN, spawn=spawned.append)

    assert spawned == []
    stored = await store.load(document)
    assert stored.checkpoint is None
    assert position == stored.last_position
    assert str(built(state).get("t", type=Text)) == "yksi kaksi"


@pytest.mark.asyncio
async def test_a_tail_past_the_byte_bound_is_folded_too(store: Store) -> None:
    document = f"test-{uuid.uuid4().hex}"
    source: Doc[Any] = Doc()
    await typed(store, document, source, ["x" * 3000])

    await snapshot(store, document, CheckpointPolicy(max_bytes=1000))

    assert (await store.load(document)).tail == []


class RefusingCheckpoints:
    """A log whose checkpoints fail to be written (the database went away meanwhile)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.refused = 0

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None: ...

    async def append(self, updates: Sequence[PendingUpdate]) -> list[int]:
        return await self.inner.append(updates)

    async def load(self, document: str, *, upto: int | None = None) -> StoredDocument:
        return await self.inner.load(document, upto=upto)

    async def entries_after(self, document: str, position: int) -> list[LogEntry]:
        return await self.inner.entries_after(document, position)

    async def save_checkpoint(self, document: str, state: bytes, position: int) -> None:
        self.refused += 1
        raise ConnectionError("the database went away")


@pytest.mark.asyncio
async def test_a_checkpoint_that_fails_to_be_written_does_not_fail_the_read(store: Store) -> None:
    document = f"test-{uuid.uuid4().hex}"
    await typed(store, document, Doc(), [f"{n} " for n in range(12)])
    refusing = RefusingCheckpoints(store)

    state, position = await snapshot(refusing, document, FOLD_AT_TEN)

    assert refusing.refused == 1
    stored = await store.load(document)
    assert stored.checkpoint is None
    assert (state, position) == (replay(stored).get_update(), stored.last_position)
