"""PostgreSQL with several writing processes: one document's positions commit in order.

Only PostgreSQL lets two processes write at once (SQLite has one writer by design), so this is
not part of the contract suite.
"""

from __future__ import annotations

import asyncio
import uuid
import zlib

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from documents.store import PendingUpdate, create_store
from documents.store.tables import updates
from tests.support.conditions import wait_for
from tests.support.databases import migrated_postgres

_WAITING_FOR_DOCUMENT = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    " AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(:d, 0)"
)


@pytest.mark.asyncio
async def test_an_append_waits_for_another_writer_of_the_same_document() -> None:
    """A reader that sees an entry sees every earlier one of that document (catch-up reads
    rely on it). Another process's open transaction is played by a raw connection that locks
    and writes the document as the store does."""
    url = await migrated_postgres()
    document = f"test-{uuid.uuid4().hex}"
    store = create_store(url)
    await store.open()
    raw = create_async_engine(url)
    try:
        async with raw.connect() as other:
            await other.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:d, 0))"), {"d": document}
            )
            inserted = await other.execute(
                updates.insert()
                .values(document=document, data=b"first", checksum=zlib.crc32(b"first"))
                .returning(updates.c.position)
            )
            first = inserted.scalar_one()
            append = asyncio.create_task(store.append([PendingUpdate(document, b"second")]))

            async def append_waits_for_the_lock() -> bool:
                async with raw.connect() as probe:
                    waiting = await probe.scalar(_WAITING_FOR_DOCUMENT, {"d": document})
                return bool(waiting)

            await wait_for(append_waits_for_the_lock, what="the append to wait for the lock")
            assert not append.done()
            assert await store.entries_after(document, 0) == []
            await other.commit()
        [second] = await append
        assert second > first
        stored = [e.update for e in await store.entries_after(document, 0)]
        assert stored == [b"first", b"second"]
    finally:
        await raw.dispose()
        await store.close()
