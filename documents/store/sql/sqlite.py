"""SQLite (aiosqlite): the store, the driver's bulk reads, the migration lock and URL checks.

`append` (the group commit) and `save_checkpoint` run on a plain sqlite3 connection of their own
(committed on the loop, the WAL synced without blocking it, the rest in a writer thread), and
`load` and the short reads made whenever a document is opened (`ReadRows`: admission's
workshop and link, the live session) on another with a reader thread
(documents/store/sql/sqlite_threads.py); everything else goes through SQLAlchemy. Those paths
run the same statements as the SQLAlchemy ones, compiled once to SQL text.

Transactions: the sqlite3 driver's legacy transaction control is kept on purpose. It opens a
DEFERRED transaction implicitly right before the first INSERT, inside the same driver call, so
append pays no separate BEGIN round trip (each statement through aiosqlite costs several thread
hand-offs), and the first statement of that transaction is the write, so the write lock is taken
at once under busy_timeout instead of failing on a read-to-write upgrade. Statements that are not
DML (the PRAGMAs, DDL, SELECT) never get an implicit BEGIN, so the connection PRAGMAs run outside
any transaction as journal_mode=WAL requires. The two reads of `load` therefore see two
snapshots (as under PostgreSQL's READ COMMITTED); that is safe because log entries are immutable
and only ever added, and the tail read starts after the checkpoint the first read found.
Migrations are the one place that needs a real transaction, so `begin_migration` emits
BEGIN IMMEDIATE itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import zlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

from sqlalchemy import BigInteger, Engine, Insert, Select, String, bindparam, event, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from documents.store import tables
from documents.store.log import PendingUpdate, StoredDocument
from documents.store.sql.log import (
    CHECKPOINT_COLUMNS,
    SqlStore,
    checkpoint_row,
    stored_document,
    verified,
)
from documents.store.sql.rows import DriverQuery
from documents.store.sql.sqlite_threads import SqliteReader, SqliteWriter, insert_statement

SqliteSynchronous = Literal["FULL", "NORMAL"]

_BUSY_TIMEOUT_MS: Final = 5000
# The migration lock is BEGIN IMMEDIATE: wait this long for other writers to finish.
MIGRATION_CONNECT_ARGS: Final[Mapping[str, object]] = {"timeout": 60.0}

StoredRow = tuple[int, bytes, int]
"""(position, bytes, checksum): a checkpoint or a log entry as read."""


class SqliteStore(SqlStore):
    """The store in one SQLite file, its hot paths on threads of their own."""

    def __init__(self, url: str, *, synchronous: SqliteSynchronous = "FULL") -> None:
        # Pooled connections serve the rare operations; a liveness check per checkout is
        # pointless on a local file.
        engine = create_async_engine(url, pool_pre_ping=False)
        _configure_connections(engine.sync_engine, synchronous)
        connect = _connector(engine.sync_engine, url, synchronous)
        self._writer = SqliteWriter(connect, sync_wal=synchronous == "FULL")
        self._reader = SqliteReader(connect)
        super().__init__(url, engine, fetch, SqliteWrites(engine), self._read_rows)
        self._checkpoint = _Positional(_checkpoint_statement(), engine.dialect)
        self._loads = {
            upto: _LoadQueries(upto=upto, dialect=engine.dialect) for upto in (False, True)
        }

    async def _connect(self) -> None:
        """Nothing: the writer thread opens its connection with its first job."""

    async def _settle(self, conn: AsyncConnection, document: str) -> None:
        """Nothing: SQLite has one writer at a time, so positions commit in order."""

    async def _disconnect(self) -> None:
        await self._writer.close()
        await self._reader.close()

    async def append(self, updates: Sequence[PendingUpdate]) -> list[int]:
        """Through the writer, with the same exception types as SQLAlchemy raises
        (IntegrityError, OperationalError, ...). SQLite serializes writers anyway."""
        if not updates:
            return []
        rows = [(u.document, u.update, zlib.crc32(u.update)) for u in updates]
        with _as_sqlalchemy_error(insert_statement(len(rows))):
            return await self._writer.append(rows)

    async def load(self, document: str, *, upto: int | None = None) -> StoredDocument:
        queries = self._loads[upto is not None]
        checkpoint, tail = await self._reader.read(
            lambda connection: queries.read(connection, document, upto)
        )
        return stored_document(document, checkpoint, verified(document, tail))

    async def _read_rows(self, query: DriverQuery, /, **values: object) -> list[Any]:
        """The store's ReadRows: on the reader thread's connection, failing as SQLAlchemy does."""
        arguments = query.arguments(values)
        with _as_sqlalchemy_error(query.sql):
            rows: list[Any] = await self._reader.read(
                lambda connection: connection.execute(query.sql, arguments).fetchall()
            )
        return rows

    async def _write_checkpoint(self, params: dict[str, object]) -> int:
        text = self._checkpoint
        with _as_sqlalchemy_error(text.sql):
            return await self._writer.write(text.sql, text.parameters(params))


async def fetch(
    conn: AsyncConnection, query: DriverQuery, /, **values: object
) -> Sequence[Sequence[Any]]:
    """Every row of the query, as sqlite3's tuples."""
    driver: Any = (await conn.get_raw_connection()).driver_connection
    rows: Sequence[Sequence[Any]] = await driver.execute_fetchall(
        query.sql, query.arguments(values)
    )
    return rows


async def begin_migration(connection: AsyncConnection) -> None:
    """Begin the transaction holding the database's write lock (every other writer waits)."""
    await connection.exec_driver_sql("BEGIN IMMEDIATE")


def check_url(url: URL) -> None:
    """SQLite creates a missing file but not its directory, and then fails only on first use.

    An in-memory database is refused: the log must outlive the process, and each connection
    (the commit's writer thread has its own) would see a database of its own.
    """
    database = url.database
    if not database or database == ":memory:":
        raise ValueError("an in-memory SQLite database cannot keep the update log: give a file")
    if database.startswith("file:"):
        return
    directory = Path(database).parent
    if not directory.is_dir():
        raise ValueError(f"the directory of the SQLite database does not exist: {directory}")


class _Positional:
    """A statement compiled once to SQL text for a plain sqlite3 connection."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = str(compiled)
        self._names = list(compiled.positiontup or ())
        self._defaults = dict(compiled.params)  # values of anonymous parameters (LIMIT 1)

    def parameters(self, given: Mapping[str, object]) -> list[object]:
        values = {**self._defaults, **given}
        return [values[name] for name in self._names]


class _LoadQueries:
    """The two SELECTs of a load (with or without an `upto` bound), as SQL text."""

    def __init__(self, *, upto: bool, dialect: Dialect) -> None:
        cp, log = tables.checkpoints.c, tables.updates.c
        document = bindparam("document", type_=String)
        bound = bindparam("upto", type_=BigInteger)
        latest = select(cp.position, cp.state, cp.checksum).where(cp.document == document)
        tail = select(log.position, log.data, log.checksum).where(
            log.document == document, log.position > bindparam("after", type_=BigInteger)
        )
        if upto:
            latest = latest.where(cp.position <= bound)
            tail = tail.where(log.position <= bound)
        self._checkpoint_text = _Positional(latest.order_by(cp.position.desc()).limit(1), dialect)
        self._tail_text = _Positional(tail.order_by(log.position), dialect)

    def read(
        self, connection: sqlite3.Connection, document: str, upto: int | None
    ) -> tuple[StoredRow | None, list[StoredRow]]:
        """Both reads on a plain connection (in the reader thread)."""
        checkpoint: StoredRow | None = connection.execute(
            self._checkpoint_text.sql,
            self._checkpoint_text.parameters({"document": document, "upto": upto}),
        ).fetchone()
        after = checkpoint[0] if checkpoint is not None else 0
        parameters = {"document": document, "upto": upto, "after": after}
        tail: list[StoredRow] = connection.execute(
            self._tail_text.sql, self._tail_text.parameters(parameters)
        ).fetchall()
        return checkpoint, tail


def _checkpoint_statement() -> Insert:
    """INSERT ... SELECT guarded by the log, upserting on (document, position), in one statement."""
    statement = sqlite.insert(tables.checkpoints).from_select(CHECKPOINT_COLUMNS, checkpoint_row())
    return statement.on_conflict_do_update(
        index_elements=[tables.checkpoints.c.document, tables.checkpoints.c.position],
        set_={"state": statement.excluded.state, "checksum": statement.excluded.checksum},
    )


@contextlib.contextmanager
def _as_sqlalchemy_error(statement: str) -> Iterator[None]:
    """The threads' sqlite3 errors as the SQLAlchemy path raises them (IntegrityError, ...)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc


def _pragmas(synchronous: SqliteSynchronous) -> list[str]:
    """What every SQLite connection runs first, the writer thread's included."""
    return [
        "PRAGMA journal_mode=WAL",
        f"PRAGMA synchronous={synchronous}",
        f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}",
    ]


def _configure_connections(engine: Engine, synchronous: SqliteSynchronous) -> None:
    """Set the per-connection PRAGMAs on every new DBAPI connection, before any statement runs."""

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in _pragmas(synchronous):
                cursor.execute(pragma)
        finally:
            cursor.close()


def _connector(
    engine: Engine, url: str, synchronous: SqliteSynchronous
) -> Callable[[], sqlite3.Connection]:
    """Opens the threads' connections with the arguments the engine's own would get."""
    (database,), options = engine.dialect.create_connect_args(make_url(url))

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(
            database, uri=bool(options.get("uri")), check_same_thread=False
        )
        for pragma in _pragmas(synchronous):
            connection.execute(pragma)
        return connection

    return connect


class SqliteWrites:
    """The session store's write transactions: the database's write lock from the first
    statement, taken in turn by this process's transactions (see session_rows.py)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._turn = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        # The driver opens no transaction before a read; this one opens it, and holds the
        # write lock, from the start.
        async with self._turn, self._engine.connect() as conn:
            await conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.rollback()
                raise
            await conn.commit()

    def locking(self, query: Select[Any]) -> Select[Any]:
        return query  # the transaction holds the database's write lock already

    def sharing(self, query: Select[Any]) -> Select[Any]:
        return query
