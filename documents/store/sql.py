"""The one Store implementation, over SQLAlchemy async, for SQLite (aiosqlite) and PostgreSQL.

On SQLite, `append` (the group commit) and `save_checkpoint` run on a plain sqlite3 connection
with a writer thread of its own, and `load` on another with a reader thread
(documents/store/sqlite_threads.py); everything else goes through SQLAlchemy. Those paths run
the same statements as the SQLAlchemy ones, compiled once to SQL text.

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
import contextlib
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final, Literal

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Insert,
    LargeBinary,
    String,
    bindparam,
    event,
    exists,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from documents.store import tables
from documents.store.base import CorruptLogEntry, LogEntry, PendingUpdate, StoredDocument
from documents.store.lineage import SqlLineage
from documents.store.rows import DriverQuery, driver_query, fetch
from documents.store.schema import require_current
from documents.store.sessions import SessionStore
from documents.store.sessions_sql import sql_session_store
from documents.store.sqlite_threads import SqliteReader, SqliteWriter, insert_statement
from documents.store.workshops import SqlWorkshops

SqliteSynchronous = Literal["FULL", "NORMAL"]

_SQLITE_BUSY_TIMEOUT_MS: Final = 5000
# PostgreSQL, several processes appending to one document: appends take a shared lock per
# document (appends never wait for each other) and hold it to their commit; a read that must
# see every entry up to the last one it returns takes the exclusive lock, so it waits for the
# appends in flight and new ones wait for it. Readers give up after a bounded wait (before the
# server's deadlock check would pick a victim, which could be an append).
_SHARE_DOCUMENTS: Final = text(
    "SELECT pg_advisory_xact_lock_shared(hashtextextended(d, 0))"
    " FROM unnest(CAST(:documents AS text[])) AS d"
)
_SETTLE_DOCUMENT: Final = text(
    "SELECT set_config('lock_timeout', '500ms', true),"
    " pg_advisory_xact_lock(hashtextextended(:document, 0))"
)
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
        self._url = url
        self._is_sqlite = make_url(url).get_backend_name() == "sqlite"
        # Pooled connections serve the rare operations (load, checkpoint, ping), so a liveness
        # check per checkout is cheap there and spares the first load after a server restart.
        self._engine = create_async_engine(url, pool_pre_ping=not self._is_sqlite)
        self._sqlite_writer: SqliteWriter | None = None
        self._sqlite_reader: SqliteReader | None = None
        if self._is_sqlite:
            _configure_sqlite_connections(self._engine.sync_engine, sqlite_synchronous)
            connect = _sqlite_connector(self._engine.sync_engine, url, sqlite_synchronous)
            self._sqlite_writer = SqliteWriter(
                connect, commit_on_loop=sqlite_synchronous == "NORMAL"
            )
            self._sqlite_reader = SqliteReader(connect)
        # PostgreSQL's append. Positions are sorted, never taken in RETURNING order (which
        # neither database promises): both hand out increasing positions in insertion order, and
        # rows are inserted in parameter order. Here SQLAlchemy's INSERT ... SELECT ... ORDER BY
        # guarantees that; SQLite inserts a multi-row VALUES as listed, which SQLAlchemy will not
        # assume (it would send one INSERT per row), so the SQLite writer builds its own statement
        # and the contract suite checks every position's content.
        self._append = tables.updates.insert().returning(
            tables.updates.c.position, sort_by_parameter_order=True
        )
        self._checkpoint = _checkpoint_statement(is_sqlite=self._is_sqlite)
        self._checkpoint_text = _Positional(self._checkpoint, self._engine.dialect)
        # SQLite reads in its reader thread; PostgreSQL reads straight from asyncpg.
        self._loads = {
            upto: _LoadQueries(upto=upto, dialect=self._engine.dialect) for upto in (False, True)
        }
        self._postgres_loads = None if self._is_sqlite else _load_queries(self._engine.dialect)
        self._writer: AsyncConnection | None = None
        self._write_lock = asyncio.Lock()
        self._writer_lost = False
        self._workshops = SqlWorkshops(self._engine)
        self._lineage = SqlLineage(self._engine)
        self._sessions = sql_session_store(self._engine)

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

        Tables are never created or altered here: that is `verstas db upgrade`'s job.
        """
        async with self._engine.connect() as conn:
            await conn.run_sync(require_current, self._url)
        if self._writer is None and not self._is_sqlite:
            self._writer = await self._engine.connect()

    async def close(self) -> None:
        """Close every connection (and, on SQLite, the threads that serve them)."""
        if self._sqlite_writer is not None:
            await self._sqlite_writer.close()
        if self._sqlite_reader is not None:
            await self._sqlite_reader.close()
        async with self._write_lock:
            if self._writer is not None:
                await self._writer.close()
                self._writer = None
            self._writer_lost = False
        await self._engine.dispose()

    async def ping(self) -> None:
        """Raise if no connection can be made or used."""
        async with self._engine.connect() as conn:
            await conn.execute(select(1))

    async def append(self, updates: Sequence[PendingUpdate]) -> list[int]:
        """Insert the whole batch with one statement in one transaction, committed on return.

        This is the group-commit hot path, so it runs on a connection of its own, held for the
        store's lifetime: on SQLite in the writer thread, on PostgreSQL in a single greenlet hop
        (no pool checkout or reset). One INSERT ... RETURNING plus one COMMIT whatever the batch
        size (up to SQLAlchemy's 1000 rows per statement on PostgreSQL). Appends are serialized,
        which also makes positions commit in increasing order within this process.
        """
        if not updates:
            return []
        if self._sqlite_writer is not None:
            return await self._append_sqlite(self._sqlite_writer, updates)
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

    @staticmethod
    async def _append_sqlite(writer: SqliteWriter, updates: Sequence[PendingUpdate]) -> list[int]:
        """One job for the writer thread, with the same exception types as the SQLAlchemy path
        (IntegrityError, OperationalError, ...)."""
        rows = [(u.document, u.update, zlib.crc32(u.update)) for u in updates]
        with _as_sqlalchemy_error(insert_statement(len(rows))):
            return await writer.append(rows)

    def _insert_batch(self, conn: Connection, rows: list[dict[str, object]]) -> list[int]:
        """PostgreSQL: several processes may append to one document, and positions drawn in
        one order may commit in another. The shared per-document locks (taken in sorted order)
        let `_settle` wait for the appends in flight. SQLite serializes writers anyway."""
        documents = sorted({str(row["document"]) for row in rows})
        with conn.begin():
            conn.execute(_SHARE_DOCUMENTS, {"documents": documents})
            return sorted(conn.execute(self._append, rows).scalars())

    async def _settle(self, conn: AsyncConnection, document: str) -> None:
        """Make this read see every entry of the document up to the last one it returns, on
        PostgreSQL (see `_SHARE_DOCUMENTS`); the lock ends with the read's transaction."""
        if not self._is_sqlite:
            await conn.execute(_SETTLE_DOCUMENT, {"document": document})

    async def load(self, document: str, *, upto: int | None = None) -> StoredDocument:
        """Read the latest checkpoint, then the entries after it; verify every checksum.

        With `upto`, the document as it stood at that log position: the latest checkpoint at or
        before it and the entries up to it (what versions and fork points are rebuilt from).
        """
        checkpoint: Sequence[Any] | None
        tail: Sequence[Sequence[Any]]
        if self._sqlite_reader is not None:
            queries = self._loads[upto is not None]
            checkpoint, tail = await self._sqlite_reader.read(
                lambda connection: queries.read(connection, document, upto)
            )
        else:
            assert self._postgres_loads is not None  # made for every store that is not SQLite
            load_checkpoint, load_tail = self._postgres_loads
            last = _LAST_POSITION if upto is None else upto
            async with self._engine.connect() as conn:
                if upto is None:
                    await self._settle(conn, document)
                found = await fetch(conn, load_checkpoint, document=document, upto=last)
                checkpoint = found[0] if found else None
                after = checkpoint[0] if checkpoint is not None else 0
                [columns] = await fetch(conn, load_tail, document=document, after=after, upto=last)
                # The three arrays (NULL for no entries) back into (position, data, checksum).
                tail = list(zip(*(column or () for column in columns), strict=True))
        if checkpoint is not None and zlib.crc32(checkpoint[1]) != checkpoint[2]:
            raise CorruptLogEntry(document, checkpoint[0])
        entries = _verified(document, tail)
        if checkpoint is None:
            return StoredDocument(document, tail=entries)
        return StoredDocument(document, checkpoint[1], checkpoint[0], entries)

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
        return _verified(document, rows)

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
        if self._sqlite_writer is not None:
            text = self._checkpoint_text
            with _as_sqlalchemy_error(text.sql):
                changed = await self._sqlite_writer.write(text.sql, text.parameters(params))
        else:
            async with self._engine.begin() as conn:
                changed = (await conn.execute(self._checkpoint, params)).rowcount
        if changed != 1:
            raise ValueError(
                f"checkpoint position {position} of document {document!r} is past the "
                "document's last log entry"
            )


def _verified(document: str, rows: Sequence[Sequence[Any]]) -> list[LogEntry]:
    """The log entries of (position, data, checksum) rows, each checked against its checksum."""
    for position, data, checksum in rows:
        if zlib.crc32(data) != checksum:
            raise CorruptLogEntry(document, position)
    return [(position, data) for position, data, _ in rows]


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


StoredRow = tuple[int, bytes, int]
"""(position, bytes, checksum): a checkpoint or a log entry as read."""


class _LoadQueries:
    """The two SELECTs of a load (with or without an `upto` bound), as statements and text."""

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
        self.checkpoint = latest.order_by(cp.position.desc()).limit(1)
        self.tail = tail.order_by(log.position)
        self._checkpoint_text = _Positional(self.checkpoint, dialect)
        self._tail_text = _Positional(self.tail, dialect)

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


@contextlib.contextmanager
def _as_sqlalchemy_error(statement: str) -> Iterator[None]:
    """The SQLite writer's errors as the SQLAlchemy path raises them (IntegrityError, ...)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc


def _sqlite_pragmas(synchronous: SqliteSynchronous) -> list[str]:
    """What every SQLite connection runs first, the writer thread's included."""
    return [
        "PRAGMA journal_mode=WAL",
        f"PRAGMA synchronous={synchronous}",
        f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}",
    ]


def _configure_sqlite_connections(engine: Engine, synchronous: SqliteSynchronous) -> None:
    """Set the per-connection PRAGMAs on every new DBAPI connection, before any statement runs."""

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in _sqlite_pragmas(synchronous):
                cursor.execute(pragma)
        finally:
            cursor.close()


def _sqlite_connector(
    engine: Engine, url: str, synchronous: SqliteSynchronous
) -> Callable[[], sqlite3.Connection]:
    """Opens the writer thread's connection with the arguments the engine's own would get."""
    (database,), options = engine.dialect.create_connect_args(make_url(url))

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(
            database, uri=bool(options.get("uri")), check_same_thread=False
        )
        for pragma in _sqlite_pragmas(synchronous):
            connection.execute(pragma)
        return connection

    return connect


def _load_queries(dialect: Dialect) -> tuple[DriverQuery, DriverQuery]:
    """PostgreSQL's two reads of a load: the latest checkpoint at or before `upto`; the entries
    after it, up to `upto`, as one row of three arrays (positions, data, checksums; NULL when
    there are none).

    Arrays rather than a row per entry: each row arrives as an asyncpg record, which the garbage
    collector keeps watching until it is freed, and ten thousand of them per load set off its full
    collections (a 10k-entry load: p95 about 100 ms against 30 without them); a list of ints or
    bytes is one object to it."""
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
        .subquery()
    )
    order = entries.c.position
    tail = select(*(func.array_agg(aggregate_order_by(column, order)) for column in entries.c))
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
