"""PostgreSQL (asyncpg): the store, the driver's bulk reads and the advisory locks.

Several server processes may append to one document at once, and positions drawn in one order
may commit in another. Appends therefore take a shared lock per document (appends never wait
for each other) and hold it to their commit; a read that must see every entry up to the last
one it returns takes the exclusive lock, so it waits for the appends in flight and new ones
wait for it. Readers give up after a bounded wait (before the server's deadlock check would
pick a victim, which could be an append).
"""

from __future__ import annotations

import asyncio
import contextlib
import operator
import zlib
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Connection,
    Insert,
    Select,
    String,
    bindparam,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from documents.store import tables
from documents.store.log import LogEntry, PendingUpdate, StoredDocument
from documents.store.sql.log import (
    CHECKPOINT_COLUMNS,
    SqlStore,
    checkpoint_row,
    stored_document,
    verified,
)
from documents.store.sql.rows import DriverQuery, driver_query

_SHARE_DOCUMENTS: Final = text(
    "SELECT pg_advisory_xact_lock_shared(hashtextextended(d, 0))"
    " FROM unnest(CAST(:documents AS text[])) AS d"
)
_ASYNC_COMMIT: Final = text("SET LOCAL synchronous_commit = off")
_SETTLE_DOCUMENT: Final = text(
    "SELECT set_config('lock_timeout', '500ms', true),"
    " pg_advisory_xact_lock(hashtextextended(:document, 0))"
)
# The highest position a BIGINT holds: `load` without `upto` is the same statement with this
# bound, so one compiled query serves both.
_LAST_POSITION: Final = 2**63 - 1
# Shared by every Verstas process, and the key the stores took to create their tables before
# migrations existed, so a migration and an older server starting wait for each other.
MIGRATION_LOCK_KEY: Final = 0x5665_7273_7461_73  # "Verstas"
MIGRATION_CONNECT_ARGS: Final[Mapping[str, object]] = {}


class PostgresStore(SqlStore):
    """The store in a PostgreSQL database, shared with any number of server processes."""

    def __init__(self, url: str) -> None:
        # Pooled connections serve the rare operations (load, checkpoint, ping), so a liveness
        # check per checkout is cheap there and spares the first load after a server restart.
        engine = create_async_engine(url, pool_pre_ping=True)
        super().__init__(url, engine, fetch, PostgresWrites(engine), self._read_rows)
        # Positions are sorted, never taken in RETURNING order (which the database does not
        # promise): it hands out increasing positions in insertion order, and SQLAlchemy's
        # INSERT ... SELECT ... ORDER BY inserts rows in parameter order.
        self._append = tables.updates.insert().returning(
            tables.updates.c.position, sort_by_parameter_order=True
        )
        self._checkpoint = _checkpoint_statement()
        self._load_checkpoint, self._load_tail = _load_queries(engine.dialect)
        self._writer: AsyncConnection | None = None
        self._write_lock = asyncio.Lock()
        self._writer_lost = False

    async def _connect(self) -> None:
        if self._writer is None:
            self._writer = await self._engine.connect()

    async def _disconnect(self) -> None:
        async with self._write_lock:
            if self._writer is not None:
                await self._writer.close()
                self._writer = None
            self._writer_lost = False

    async def append(self, updates: Sequence[PendingUpdate]) -> list[int]:
        """On the held connection, in a single greenlet hop (no pool checkout or reset); up to
        SQLAlchemy's 1000 rows per statement."""
        if not updates:
            return []
        rows = [
            {"document": u.document, "data": u.update, "checksum": zlib.crc32(u.update)}
            for u in updates
        ]
        async with self._write_lock:
            if self._writer is None and self._writer_lost:
                # The last append lost its connection (the server went away or restarted): a
                # new one, which fails the same way while the database is still unreachable.
                self._writer = await self._engine.connect()
                self._writer_lost = False
            if self._writer is None:
                raise RuntimeError("the store is not open")
            try:
                return await self._writer.run_sync(self._insert_batch, rows)
            except BaseException:
                # The connection may be dead; nothing is lost by opening another for the next
                # append (the batch was rolled back, and its room resends nothing: see Room).
                writer, self._writer, self._writer_lost = self._writer, None, True
                with contextlib.suppress(Exception):
                    await writer.close()
                raise

    def _insert_batch(self, conn: Connection, rows: list[dict[str, object]]) -> list[int]:
        """The shared per-document locks (taken in sorted order) let `_settle` wait for the
        appends in flight."""
        documents = sorted({str(row["document"]) for row in rows})
        with conn.begin():
            conn.execute(_SHARE_DOCUMENTS, {"documents": documents})
            return sorted(conn.execute(self._append, rows).scalars())

    async def _settle(self, conn: AsyncConnection, document: str) -> None:
        """The exclusive lock, which ends with the read's transaction."""
        await conn.execute(_SETTLE_DOCUMENT, {"document": document})

    async def load(self, document: str, *, upto: int | None = None) -> StoredDocument:
        last = _LAST_POSITION if upto is None else upto
        async with self._engine.connect() as conn:
            if upto is None:
                await self._settle(conn, document)
            found = await fetch(conn, self._load_checkpoint, document=document, upto=last)
            checkpoint = found[0] if found else None
            after = checkpoint[0] if checkpoint is not None else 0
            [columns] = await fetch(
                conn, self._load_tail, document=document, after=after, upto=last
            )
        return stored_document(document, checkpoint, tail_entries(document, columns))

    async def _read_rows(self, query: DriverQuery, /, **values: object) -> Sequence[Sequence[Any]]:
        """The store's ReadRows: on a pooled connection, through asyncpg."""
        async with self._engine.connect() as conn:
            return await fetch(conn, query, **values)

    async def _write_checkpoint(self, params: dict[str, object]) -> int:
        """Committed without waiting for PostgreSQL's WAL flush: a checkpoint is derived from
        the log, whose commits did wait, so a database crash can lose only the checkpoint,
        never what it stands for, and the next load replays the log instead. The flush was
        about half of a checkpoint's write (~1 of 2 ms), which a fork of a workshop with a
        long uncheckpointed tail waited for."""
        async with self._engine.begin() as conn:
            await conn.execute(_ASYNC_COMMIT)
            return (await conn.execute(self._checkpoint, params)).rowcount


def tail_entries(document: str, columns: Sequence[Sequence[Any] | None]) -> list[LogEntry]:
    """The tail query's three arrays (NULL for no entries) as log entries, each checksum
    verified, in the order of positions, which the aggregates are not promised to keep (see
    `_load_queries`).

    Column by column, so that computing and comparing the checksums and pairing positions with
    data run in C: 10,000 entries took ~3 ms row by row, a sixth of forking a workshop with
    that many uncheckpointed edits. Raises CorruptLogEntry for the first entry that fails.
    """
    positions, data, checksums = (list(column or ()) for column in columns)
    if not all(map(operator.lt, positions, positions[1:])):
        order = sorted(range(len(positions)), key=positions.__getitem__)
        unsorted = (positions, data, checksums)
        positions, data, checksums = ([column[i] for i in order] for column in unsorted)
    if list(map(zlib.crc32, data)) != checksums:
        verified(document, list(zip(positions, data, checksums, strict=True)))
    return list(zip(positions, data, strict=True))


async def fetch(
    conn: AsyncConnection, query: DriverQuery, /, **values: object
) -> Sequence[Sequence[Any]]:
    """Every row of the query, as asyncpg's records."""
    driver: Any = (await conn.get_raw_connection()).driver_connection
    records: Sequence[Sequence[Any]] = await driver.fetch(query.sql, *query.arguments(values))
    return records


async def begin_migration(connection: AsyncConnection) -> None:
    """Begin the transaction holding the database-wide migration lock until it ends."""
    key = literal(MIGRATION_LOCK_KEY, BigInteger)
    await connection.execute(select(func.pg_advisory_xact_lock(key)))


def _load_queries(dialect: Dialect) -> tuple[DriverQuery, DriverQuery]:
    """The two reads of a load: the latest checkpoint at or before `upto`; the entries after
    it, up to `upto`, as one row of three arrays (positions, data, checksums; NULL when there
    are none).

    Arrays rather than a row per entry: each row arrives as an asyncpg record, which the garbage
    collector keeps watching until it is freed, and ten thousand of them per load set off its full
    collections (a 10k-entry load: p95 about 100 ms against 30 without them); a list of ints or
    bytes is one object to it.

    The entries are sorted once, in the subquery, and aggregated as they come: an `ORDER BY` in
    each aggregate sorted them three times (6.2 ms for 10,000 entries against 4.0). The three
    aggregates read the same rows in the same order, so the arrays stay aligned; that this is
    the subquery's order is what PostgreSQL does, not what it promises, so `load` checks it."""
    cp, log = tables.checkpoints.c, tables.updates.c
    document = bindparam("document", type_=String)
    upto = bindparam("upto", type_=BigInteger)
    checkpoint = (
        select(cp.position, cp.state, cp.checksum)
        .where(cp.document == document, cp.position <= upto)
        .order_by(cp.position.desc())
        .limit(1)
    )
    entries = (
        select(log.position, log.data, log.checksum)
        .where(
            log.document == document,
            log.position > bindparam("after", type_=BigInteger),
            log.position <= upto,
        )
        .order_by(log.position)
        .subquery()
    )
    tail = select(*(func.array_agg(column) for column in entries.c))
    return driver_query(checkpoint, dialect), driver_query(tail, dialect)


def _checkpoint_statement() -> Insert:
    """INSERT ... SELECT guarded by the log, upserting on (document, position), in one statement."""
    statement = postgresql.insert(tables.checkpoints).from_select(
        CHECKPOINT_COLUMNS, checkpoint_row()
    )
    return statement.on_conflict_do_update(
        index_elements=[tables.checkpoints.c.document, tables.checkpoints.c.position],
        set_={"state": statement.excluded.state, "checksum": statement.excluded.checksum},
    )


class PostgresWrites:
    """The session store's write transactions: row locks (see session_rows.py)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self._engine.begin() as conn:
            yield conn

    def locking(self, query: Select[Any]) -> Select[Any]:
        return query.with_for_update()

    def sharing(self, query: Select[Any]) -> Select[Any]:
        return query.with_for_update(read=True)
