"""The SQLite writer thread: what only the SQLite store does, so not part of the contract suite."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
import zlib
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from documents.store import PendingUpdate, create_store
from tests.support.databases import migrated_sqlite


@pytest.mark.asyncio
async def test_an_append_waits_for_another_sqlite_writer_off_the_event_loop(
    tmp_path: Path,
) -> None:
    """The event loop must never sit in SQLite's busy handler: while another connection holds
    the write lock, the append waits in its thread and the loop goes on (here: to the task
    that lets the other writer commit)."""
    url = migrated_sqlite(tmp_path / "writer.db")
    store = create_store(url)
    await store.open()
    document = f"test-{uuid.uuid4().hex}"
    try:
        await store.append([PendingUpdate(document, b"first")])  # the writer's connection is open
        other = sqlite3.connect(str(make_url(url).database), isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "INSERT INTO updates (document, data, checksum) VALUES (?, ?, ?)",
                (document, b"other", zlib.crc32(b"other")),
            )

            async def other_commits() -> None:
                other.execute("COMMIT")

            [waited], _ = await asyncio.gather(
                store.append([PendingUpdate(document, b"waited")]), other_commits()
            )
        finally:
            other.close()
        entries = await store.entries_after(document, 0)
        assert [e.update for e in entries] == [b"first", b"other", b"waited"]
        assert entries[-1].position == waited
    finally:
        await store.close()
