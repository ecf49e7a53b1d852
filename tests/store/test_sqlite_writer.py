"""The SQLite writer thread: what only the SQLite store does, so not part of the contract suite."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
import zlib
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from documents.store.factory import create_store
from documents.store.log import PendingUpdate
from documents.store.sql.sqlite_threads import WAL_CHECKPOINT_COMMITS
from tests.support.conditions import wait_until
from tests.support.databases import migrated_sqlite
from web.settings import SqliteSynchronous


@pytest.mark.asyncio
@pytest.mark.parametrize("synchronous", ["FULL", "NORMAL"])
async def test_an_append_waits_for_another_sqlite_writer_off_the_event_loop(
    tmp_path: Path, synchronous: SqliteSynchronous
) -> None:
    """The event loop must never sit in SQLite's busy handler: while another connection holds
    the write lock, the append waits in its thread and the loop goes on (here: to the task
    that lets the other writer commit). Both commit on the loop; FULL then syncs the WAL."""
    url = migrated_sqlite(tmp_path / "writer.db")
    store = create_store(url, sqlite_synchronous=synchronous)
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
        assert [update for _, update in entries] == [b"first", b"other", b"waited"]
        assert entries[-1][0] == waited
    finally:
        await store.close()


def checkpointed_rows(database: str, document: str) -> int | None:
    """The document's log rows in the database file itself, ignoring the WAL (None while a
    checkpoint is writing the file under this read)."""
    try:
        reader = sqlite3.connect(f"file:{database}?immutable=1", uri=True)
        try:
            (count,) = reader.execute(
                "SELECT count(*) FROM updates WHERE document = ?", (document,)
            ).fetchone()
            return int(count)
        finally:
            reader.close()
    except sqlite3.DatabaseError:
        return None


@pytest.mark.asyncio
@pytest.mark.parametrize("synchronous", ["FULL", "NORMAL"])
async def test_the_wal_is_checkpointed_by_the_thread_not_by_a_commit(
    tmp_path: Path, synchronous: SqliteSynchronous
) -> None:
    """Commits on the loop must not run SQLite's automatic WAL checkpoint (it fsyncs): it is
    off for the writer, and the thread copies the WAL into the database every
    WAL_CHECKPOINT_COMMITS commits instead."""
    url = migrated_sqlite(tmp_path / "checkpointed.db")
    database = str(make_url(url).database)
    store = create_store(url, sqlite_synchronous=synchronous)
    await store.open()
    document = f"test-{uuid.uuid4().hex}"
    try:
        for number in range(WAL_CHECKPOINT_COMMITS - 1):
            await store.append([PendingUpdate(document, f"edit {number}".encode())])
        assert checkpointed_rows(database, document) == 0  # all of it is in the WAL still
        await store.append([PendingUpdate(document, b"the last one")])
        await wait_until(
            lambda: checkpointed_rows(database, document) == WAL_CHECKPOINT_COMMITS,
            what="the WAL checkpoint after the last commit",
        )
        entries = await store.entries_after(document, 0)
        assert len(entries) == WAL_CHECKPOINT_COMMITS
        assert entries[-1][1] == b"the last one"
    finally:
        await store.close()
