"""The update log and checkpoints in SQL: what SQLite and PostgreSQL share.

Each database has a module of its own for what differs (documents.store.sql.sqlite: writer and
reader threads on plain sqlite3 connections; documents.store.sql.postgres: a held writer
connection, advisory locks and array reads through asyncpg), and documents.store.factory picks
one by the database URL. Both run the same statements, built here and in documents.store.tables.
"""

from __future__ import annotations

import zlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, LargeBinary, Select, String, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from documents.store import tables
from documents.store.log import CorruptLogEntry, LogEntry, PendingUpdate, StoredDocument
from documents.store.schema import require_current
from documents.store.sessions import SessionStore
from documents.store.sql.lineage import SqlLineage
from documents.store.sql.rows import Fetch, ReadRows
from documents.store.sql.session_rows import Writes
from documents.store.sql.sessions import sql_session_store
from documents.store.sql.workshops import SqlWorkshops

CHECKPOINT_COLUMNS = ["document", "position", "state", "checksum"]


class SqlStore(ABC):
    """A `Store` in one SQL database: the update log and checkpoints here, the workshop,
    lineage and session repositories over the same engine."""

    def __init__(
        self, url: str, engine: AsyncEngine, fetch: Fetch, writes: Writes, read: ReadRows
    ) -> None:
        self._url = url
        self._engine = engine
        self._workshops = SqlWorkshops(engine, read)
        self._lineage = SqlLineage(engine, fetch)
        self._sessions = sql_session_store(engine, writes, read)

    @property
    def workshops(self) -> SqlWorkshops:
        return self._workshops

    @property
    def lineage(self) -> SqlLineage:
        return self._lineage

    @property
    def sessions(self) -> SessionStore:
        return self._sessions

    async def open(self) -> None:
        """Raise `SchemaError` unless the schema is at this Verstas' head revision.

        Tables are never created or altered here: that is `verstas db upgrade`'s job (or the
        server's, once, on an empty database).
        """
        async with self._engine.connect() as conn:
            await conn.run_sync(require_current, self._url)
        await self._connect()

    @abstractmethod
    async def _connect(self) -> None:
        """Open what the database's appends need beyond the pool, if anything."""

    async def close(self) -> None:
        """Close every connection (and the threads that serve some of them)."""
        await self._disconnect()
        await self._engine.dispose()

    @abstractmethod
    async def _disconnect(self) -> None:
        """Close what `_connect` or the first append opened."""

    async def ping(self) -> None:
        """Raise if no connection can be made or used."""
        async with self._engine.connect() as conn:
            await conn.execute(select(1))

    @abstractmethod
    async def append(self, updates: Sequence[PendingUpdate]) -> list[int]:
        """Insert the whole batch with one statement in one transaction, committed on return.

        This is the group-commit hot path, so it runs on a connection of its own, held for the
        store's lifetime, and costs one INSERT ... RETURNING plus one COMMIT whatever the
        batch size. Appends are serialized, which also makes positions commit in increasing
        order within this process.
        """

    @abstractmethod
    async def load(self, document: str, *, upto: int | None = None) -> StoredDocument:
        """Read the latest checkpoint, then the entries after it; verify every checksum.

        With `upto`, the document as it stood at that log position: the latest checkpoint at or
        before it and the entries up to it (what versions and fork points are rebuilt from).
        """

    @abstractmethod
    async def _settle(self, conn: AsyncConnection, document: str) -> None:
        """Make a read on `conn` see every entry of the document up to the last one it returns,
        also where appends of several processes may commit their positions out of order."""

    async def entries_after(self, document: str, position: int) -> list[LogEntry]:
        log = tables.updates.c
        query = (
            select(log.position, log.data, log.checksum)
            .where(log.document == document, log.position > position)
            .order_by(log.position)
        )
        async with self._engine.connect() as conn:
            await self._settle(conn, document)
            rows = (await conn.execute(query)).all()
        return verified(document, rows)

    async def save_checkpoint(self, document: str, state: bytes, position: int) -> None:
        """Record the state as of `position`, refusing positions the log has not reached.

        A checkpoint beyond the document's last entry would hide the entries appended later at
        positions up to it: the one way this store could lose an update, so it is refused here.
        Saving again at the same position replaces the state, which lets a compaction repair a
        checkpoint that failed its checksum.
        """
        params = {
            "cp_document": document,
            "cp_position": position,
            "cp_state": state,
            "cp_checksum": zlib.crc32(state),
        }
        if await self._write_checkpoint(params) != 1:
            raise ValueError(
                f"checkpoint position {position} of document {document!r} is past the "
                "document's last log entry"
            )

    @abstractmethod
    async def _write_checkpoint(self, params: dict[str, object]) -> int:
        """Run the database's `checkpoint_row` upsert; the number of rows it changed."""


def checkpoint_row() -> Select[str, int, bytes, int]:
    """The row a checkpoint inserts, selected only if the log has reached its position: the
    databases differ only in how they spell the upsert around it."""
    document = bindparam("cp_document", type_=String)
    position = bindparam("cp_position", type_=BigInteger)
    return select(
        document,
        position,
        bindparam("cp_state", type_=LargeBinary),
        bindparam("cp_checksum", type_=BigInteger),
    ).where(
        exists().where(tables.updates.c.document == document, tables.updates.c.position >= position)
    )


def stored_document(
    document: str, checkpoint: Sequence[Any] | None, entries: list[LogEntry]
) -> StoredDocument:
    """A load's two reads as a document: the (position, state, checksum) row of the checkpoint,
    its checksum verified here, and the tail's entries, verified already."""
    if checkpoint is not None and zlib.crc32(checkpoint[1]) != checkpoint[2]:
        raise CorruptLogEntry(document, checkpoint[0])
    if checkpoint is None:
        return StoredDocument(document, tail=entries)
    return StoredDocument(document, checkpoint[1], checkpoint[0], entries)


def verified(document: str, rows: Sequence[Sequence[Any]]) -> list[LogEntry]:
    """The log entries of (position, data, checksum) rows, each checked against its checksum."""
    for position, data, checksum in rows:
        if zlib.crc32(data) != checksum:
            raise CorruptLogEntry(document, position)
    return [(position, data) for position, data, _ in rows]
