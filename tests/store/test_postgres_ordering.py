"""PostgreSQL with several writing processes: positions of one document may commit out of
order, yet a read that stands for "everything up to position P" never misses an entry below P.

Only PostgreSQL lets two processes write at once (SQLite has one writer by design), so this is
not part of the contract suite. Another process's open append is played by a raw connection
that locks and writes the document as the store does.
"""

from __future__ import annotations

import asyncio
import uuid
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from documents.store.base import Store
from documents.store.factory import create_store
from documents.store.log import CorruptLogEntry, LogEntry, PendingUpdate
from documents.store.sql.postgres import tail_entries
from documents.store.tables import updates
from tests.support.conditions import wait_for
from tests.support.databases import migrated_postgres

_WAITING_FOR_DOCUMENT = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    " AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(:d, 0)"
)


@pytest_asyncio.fixture
async def postgres() -> AsyncIterator[tuple[Store, AsyncEngine]]:
    url = await migrated_postgres()
    store = create_store(url)
    await store.open()
    raw = create_async_engine(url)
    try:
        yield store, raw
    finally:
        await raw.dispose()
        await store.close()


async def _open_append(conn: AsyncConnection, document: str, data: bytes) -> int:
    """An append of another process, left uncommitted."""
    await conn.execute(
        text("SELECT pg_advisory_xact_lock_shared(hashtextextended(:d, 0))"), {"d": document}
    )
    inserted = await conn.execute(
        updates.insert()
        .values(document=document, data=data, checksum=zlib.crc32(data))
        .returning(updates.c.position)
    )
    position: int = inserted.scalar_one()
    return position


@pytest.mark.asyncio
async def test_appends_of_two_processes_to_one_document_do_not_wait_for_each_other(
    postgres: tuple[Store, AsyncEngine],
) -> None:
    store, raw = postgres
    document = f"test-{uuid.uuid4().hex}"
    async with raw.connect() as other:
        first = await _open_append(other, document, b"first")
        [second] = await store.append([PendingUpdate(document, b"second")])
        assert second > first
        await other.commit()


@pytest.mark.parametrize("read", ["entries_after", "load"])
@pytest.mark.asyncio
async def test_a_read_waits_for_the_appends_in_flight_and_misses_none(
    postgres: tuple[Store, AsyncEngine], read: str
) -> None:
    store, raw = postgres
    document = f"test-{uuid.uuid4().hex}"
    async with raw.connect() as other:
        first = await _open_append(other, document, b"first")
        # A later position of the same document, committed first.
        [second] = await store.append([PendingUpdate(document, b"second")])
        assert second > first

        async def read_everything() -> list[LogEntry]:
            if read == "load":
                return (await store.load(document)).tail
            return await store.entries_after(document, 0)

        reading = asyncio.create_task(read_everything())

        async def read_waits_for_the_append() -> bool:
            async with raw.connect() as probe:
                waiting = await probe.scalar(_WAITING_FOR_DOCUMENT, {"d": document})
            return bool(waiting)

        await wait_for(read_waits_for_the_append, what="the read to wait for the open append")
        assert not reading.done()
        await other.commit()
    assert await reading == [(first, b"first"), (second, b"second")]


def test_a_tail_read_as_arrays_is_put_in_the_order_of_positions_whatever_order_it_came_in() -> None:
    data = [b"e", b"c", b"d"]
    shuffled: list[list[Any]] = [[5, 3, 4], data, [zlib.crc32(update) for update in data]]

    assert tail_entries("doc", shuffled) == [(3, b"c"), (4, b"d"), (5, b"e")]
    assert tail_entries("doc", [None, None, None]) == []  # no entries: three NULLs


def test_a_tail_read_as_arrays_names_the_first_entry_that_fails_its_checksum() -> None:
    data = [b"e", b"c", b"d"]
    checksums = [zlib.crc32(update) for update in data]
    checksums[0] ^= 1  # position 5's
    checksums[2] ^= 1  # position 4's: the first in the order of positions

    with pytest.raises(CorruptLogEntry) as raised:
        tail_entries("doc", [[5, 3, 4], data, checksums])
    assert (raised.value.document, raised.value.position) == ("doc", 4)
