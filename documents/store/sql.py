"""The one Store implementation, over SQLAlchemy async, for SQLite (aiosqlite) and PostgreSQL.

Transactions on SQLite: the sqlite3 driver's legacy transaction control is kept on purpose. It
opens a DEFERRED transaction implicitly right before the first INSERT, inside the same driver call,
so append pays no separate BEGIN round trip (each statement through aiosqlite costs several thread
hand-offs), and the first statement of that transaction is the write, so the write lock is taken
at once under busy_timeout instead of failing on a read-to-write upgrade. Statements that are not
DML (the PRAGMAs, DDL, SELECT) never get an implicit BEGIN, so the connection PRAGMAs run outside
any transaction as journal_mode=WAL requires. The two reads of `load` therefore see two
snapshots (as under PostgreSQL's READ COMMITTED); that is safe because log entries are immutable
and only ever added, and the tail read starts after the checkpoint the first read found.
Schema creation is the one place that needs a real transaction, so `open` emits BEGIN IMMEDIATE
itself.
"""

from __future__ import annotations

import asyncio
import sqlite3
import zlib
from collections.abc import Sequence
from typing import Any, Final, Literal

from sqlalchemy import (
    BigInteger,
    Connection,
    Dialect,
    Engine,
    Insert,
    LargeBinary,
    String,
    bindparam,
    event,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from documents.store import tables
from documents.store.base import CorruptLogEntry, LogEntry, PendingUpdate, StoredDocument
from documents.store.lineage import SqlLineage
from documents.store.rows import DriverQuery, driver_query, fetch
from documents.store.workshops import SqlWorkshops

SqliteSynchronous = Literal["FULL", "NORMAL"]

# An arbitrary constant shared by every Verstas process: concurrent `open` calls against one
# PostgreSQL database wait for each other instead of racing to create the same tables.
_SCHEMA_LOCK_KEY: Final = 0x5665_7273_7461_73  # "Verstas"
_SQLITE_BUSY_TIMEOUT_MS: Final = 5000
# The highest position either database can hold (BIGINT, SQLite's INTEGER): `load` without
# `upto` is the same statement with this bound, so one compiled query serves both.
_LAST_POSITION: Final = 2**63 - 1


class SqlStore:
    """The update log and checkpoints in one SQL database, chosen by the SQLAlchemy URL."""

    def __init__(self, url: str, *, sqlite_synchronous: SqliteSynchronous = "FULL") -> None:
        # Checked at run time too: the value ends up in a PRAGMA and usually comes from settings.
        if sqlite_synchronous not in ("FULL", "NORMAL"):
            raise ValueError(
                f"sqlite_synchronous must be FULL or NORMAL, not {sqlite_synchronous!r}"
            )
        self._is_sqlite = make_url(url).get_backend_name() == "sqlite"
        # Pooled connections serve the rare operations (load, checkpoint, ping), so a liveness
        # check per checkout is cheap there and spares the first load after a server restart.
        self._engine = create_async_engine(url, pool_pre_ping=not self._is_sqlite)
        if self._is_sqlite:
            _configure_sqlite_connections(self._engine.sync_engine, sqlite_synchronous)
        # Positions are sorted, never taken in RETURNING order (which neither database promises):
        # both hand out increasing positions in insertion order, and rows are inserted in
        # parameter order. On PostgreSQL SQLAlchemy's INSERT ... SELECT ... ORDER BY guarantees
        # that; SQLite inserts a multi-row VALUES as listed. SQLAlchemy will not assume the latter
        # and would send one INSERT per row, so the contract suite checks every position's content.
        self._append = tables.updates.insert().returning(
            tables.updates.c.position, sort_by_parameter_order=not self._is_sqlite
        )
        self._checkpoint = _checkpoint_statement(is_sqlite=self._is_sqlite)
        self._load_checkpoint, self._load_tail = _load_queries(self._engine.dialect)
        self._writer: AsyncConnection | None = None
        self._write_lock = asyncio.Lock()
        self._workshops = SqlWorkshops(self._engine)
        self._lineage = SqlLineage(self._engine)

    @property
    def workshops(self) -> SqlWorkshops:
        return self._workshops

    @property
    def lineage(self) -> SqlLineage:
        return self._lineage

    async def open(self) -> None:
        """Create the schema if it is missing (to be replaced by Alembic migrations)."""
        async with self._engine.connect() as conn:
            if self._is_sqlite:
                await conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                lock = func.pg_advisory_xact_lock(literal(_SCHEMA_LOCK_KEY, BigInteger))
                await conn.execute(select(lock))
            await conn.run_sync(tables.metadata.create_all)
            await conn.commit()
        if self._writer is None:
            self._writer = await self._engine.connect()

    async def close(self) -> None:
        """Close every connection (and, on SQLite, its aiosqlite thread)."""
        async with self._write_lock:
            if self._writer is not None:
                await self._writer.close()
                self._writer = None
        await self._engine.dispose()

    async def ping(self) -> None:
        """Raise if no connection can be made or used."""
        async with self._engine.connect() as conn:
            await conn.execute(select(1))

    async def append(self, updates: Sequence[PendingUpdate]) -> list[int]:
        """Insert the whole batch with one statement in one transaction, committed on return.

        This is the group-commit hot path, so it runs on a connection of its own, held for the
        store's lifetime, in a single greenlet hop: no pool checkout or reset, and one
        INSERT ... RETURNING plus one COMMIT whatever the batch size (up to SQLAlchemy's 1000 rows
        per statement). Appends are serialized, which also makes positions commit in increasing
        order within this process, even on PostgreSQL.
        """
        if not updates:
            return []
        rows = [
            {"document": u.document, "data": u.update, "checksum": zlib.crc32(u.update)}
            for u in updates
        ]
        async with self._write_lock:
            if self._writer is None:
                raise RuntimeError("the store is not open")
            if self._is_sqlite:
                return await self._append_sqlite(rows)
            return await self._writer.run_sync(self._insert_batch, rows)

    async def _append_sqlite(self, rows: list[dict[str, object]]) -> list[int]:
        """The SQLite hot path straight on the held connection's aiosqlite driver: two hand-offs
        to its thread (the INSERT ... RETURNING, the COMMIT) instead of SQLAlchemy's five or
        more, which cost more CPU than the whole relay (see the benchmark notes). The sqlite3
        driver opens the transaction itself before the INSERT, as on the SQLAlchemy path."""
        assert self._writer is not None
        raw = await self._writer.get_raw_connection()
        driver: Any = raw.driver_connection
        values = ", ".join(["(?, ?, ?)"] * len(rows))
        parameters: list[object] = []
        for row in rows:
            parameters += (row["document"], row["data"], row["checksum"])
        statement = (
            f"INSERT INTO updates (document, data, checksum) VALUES {values} RETURNING position"
        )
        try:
            returned = await driver.execute_fetchall(statement, parameters)
            await driver.commit()
        except sqlite3.Error as exc:
            await driver.rollback()
            # The same exception types as the SQLAlchemy path (IntegrityError, ...).
            raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc
        except BaseException:
            await driver.rollback()
            raise
        return sorted(int(row[0]) for row in returned)

    def _insert_batch(self, conn: Connection, rows: list[dict[str, object]]) -> list[int]:
        with conn.begin():
            return sorted(conn.execute(self._append, rows).scalars())

    async def load(self, document: str, *, upto: int | None = None) -> StoredDocument:
        """Read the latest checkpoint, then the entries after it; verify every checksum.

        With `upto`, the document as it stood at that log position: the latest checkpoint at or
        before it and the entries up to it (what versions and fork points are rebuilt from).
        Rows come straight from the driver: a long tail is this store's biggest read.
        """
        last = _LAST_POSITION if upto is None else upto
        async with self._engine.connect() as conn:
            found = await fetch(conn, self._load_checkpoint, document=document, upto=last)
            after = found[0][0] if found else 0
            tail = await fetch(conn, self._load_tail, document=document, after=after, upto=last)
        checkpoint = found[0] if found else None
        if checkpoint is not None and zlib.crc32(checkpoint[1]) != checkpoint[2]:
            raise CorruptLogEntry(document, checkpoint[0])
        entries: list[LogEntry] = []
        for position, data, checksum in tail:
            if zlib.crc32(data) != checksum:
                raise CorruptLogEntry(document, position)
            entries.append(LogEntry(position, data))
        if checkpoint is None:
            return StoredDocument(document, tail=entries)
        return StoredDocument(document, checkpoint[1], checkpoint[0], entries)

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
        async with self._engine.begin() as conn:
            result = await conn.execute(self._checkpoint, params)
            if result.rowcount != 1:
                raise ValueError(
                    f"checkpoint position {position} of document {document!r} is past the "
                    "document's last log entry"
                )


def _configure_sqlite_connections(engine: Engine, synchronous: SqliteSynchronous) -> None:
    """Set the per-connection PRAGMAs on every new DBAPI connection, before any statement runs."""

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()


def _load_queries(dialect: Dialect) -> tuple[DriverQuery, DriverQuery]:
    """The latest checkpoint at or before `upto`; the entries after it, up to `upto`."""
    cp, log = tables.checkpoints.c, tables.updates.c
    document = bindparam("document", type_=String)
    upto = bindparam("upto", type_=BigInteger)
    checkpoint = (
        select(cp.position, cp.state, cp.checksum)
        .where(cp.document == document, cp.position <= upto)
        .order_by(cp.position.desc())
        .limit(1)
    )
    tail = (
        select(log.position, log.data, log.checksum)
        .where(
            log.document == document,
            log.position > bindparam("after", type_=BigInteger),
            log.position <= upto,
        )
        .order_by(log.position)
    )
    return driver_query(checkpoint, dialect), driver_query(tail, dialect)


def _checkpoint_statement(*, is_sqlite: bool) -> Insert:
    """INSERT ... SELECT guarded by the log, upserting on (document, position), in one statement."""
    document = bindparam("cp_document", type_=String)
    position = bindparam("cp_position", type_=BigInteger)
    row = select(
        document,
        position,
        bindparam("cp_state", type_=LargeBinary),
        bindparam("cp_checksum", type_=BigInteger),
    ).where(
        exists().where(tables.updates.c.document == document, tables.updates.c.position >= position)
    )
    columns = ["document", "position", "state", "checksum"]
    key = [tables.checkpoints.c.document, tables.checkpoints.c.position]
    if is_sqlite:
        lite = sqlite.insert(tables.checkpoints).from_select(columns, row)
        return lite.on_conflict_do_update(
            index_elements=key,
            set_={"state": lite.excluded.state, "checksum": lite.excluded.checksum},
        )
    pg = postgresql.insert(tables.checkpoints).from_select(columns, row)
    return pg.on_conflict_do_update(
        index_elements=key, set_={"state": pg.excluded.state, "checksum": pg.excluded.checksum}
    )
