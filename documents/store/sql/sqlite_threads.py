"""SQLite's hot paths on plain sqlite3 connections: writes (the group commit, checkpoints),
committed on the event loop and synced without blocking it, and document loads, read in a thread.

A commit runs on the loop: with the writer's connection in `synchronous=NORMAL` it only writes
WAL frames to the page cache (tens of µs, no disk wait). Under the store's `FULL` (the default),
the WAL file is then synced before the batch counts as committed, through the kernel's AIO where
Linux allows, else in the writer thread (documents/store/sql/wal_sync.py: that is all FULL adds
to NORMAL in WAL mode). Before, the COMMIT with its fsync ran in the writer thread; the hand-off
and the thread's wait for the GIL after the fsync cost about half of a commit's CPU. SQLite's
automatic WAL checkpoints, which fsync, would run inside a commit on the loop, so the thread runs
them instead (`_count_wal_commit`). The sqlite3 driver lets go of the GIL around every step of a
statement, so nothing of a commit's per-row work is done in a thread (an INSERT ... RETURNING
of four rows waited for the GIL about eight times per commit there).

The loop must never wait for a lock either, so the connection has no busy timeout: an INSERT
that finds another connection writing (a workshop being created, the CLI) fails at once and is
retried in the thread, with the usual timeout. Checkpoints are written in the thread too, on
this same connection: a second writing connection would make commits wait out SQLite's
busy-handler sleeps (1, 2, 5, 10 ms...), which showed as delivery stalls of tens of ms.

The connection is used by one job at a time (a lock), either on the loop or in the thread.
The sqlite3 driver's legacy transaction control opens the transaction implicitly, inside the
INSERT's own call (see documents/store/sql/sqlite.py for why that is wanted).

Loading a document goes through SQLAlchemy and aiosqlite otherwise: several thread hand-offs
per statement, and the first load after a restart compiles its statements, which made a
document of 100,000 edits take ~30 ms to read. The reader thread runs both of a load's
SELECTs in one job on a connection of its own (in WAL mode readers never wait for the writer),
which maps the database file into memory: a checkpoint of megabytes spans a thousand overflow
pages, read with a system call each otherwise (4 MB: 5-10 ms, mapped: 1 ms).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ParamSpec, TypeVar

import structlog

from documents.store.sql.wal_sync import WalFile

Row = tuple[str, bytes, int]
"""(document, update, checksum): one log entry to insert."""

log = structlog.get_logger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

_PATIENCE_MS = 5000  # how long a write in the thread waits for another connection's lock
_READER_MMAP_BYTES = 1 << 30  # address space only: pages are read from the file on first use
# Commits between WAL checkpoints when they are not SQLite's own: a commit of a few rows adds
# a few pages to the WAL, so this stays near SQLite's default of a checkpoint per 1000 pages.
WAL_CHECKPOINT_COMMITS = 300


def insert_statement(rows: int) -> str:
    """One INSERT for the whole batch, without RETURNING: see `inserted_positions`."""
    values = ", ".join(["(?, ?, ?)"] * rows)
    return f"INSERT INTO updates (document, data, checksum) VALUES {values}"


def inserted_positions(last: int | None, rows: int) -> list[int]:
    """The positions of a batch from the last one, in order.

    The position is the rowid alias with AUTOINCREMENT, and a multi-row VALUES inserts its
    rows as listed, each one past the largest rowid ever used, inside a transaction that holds
    the write lock: so the batch took the `rows` positions ending at `last`. Reading them with
    RETURNING cost a driver step per row (each letting go of the GIL): ~2 µs per update.
    """
    if last is None:
        raise sqlite3.OperationalError("the INSERT reported no row id")
    return list(range(last - rows + 1, last + 1))


class _ConnectionThread:
    """One thread, started on first use, and one connection, opened by its first job.

    Jobs go to the thread through a plain queue and come back as the result of a loop future,
    set from the thread: no `concurrent.futures` machinery (its future, condition and locks,
    then wrapping and chaining into an asyncio future took ~7% of the loop's GIL samples at
    1,000 updates/s, py-spy: the writer runs one job per group commit).
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection], name: str) -> None:
        """`connect` opens the connection (with its PRAGMAs set); it runs in the thread."""
        self._connect = connect
        self._name = name
        self._jobs: queue.SimpleQueue[_Job | None] | None = None
        self._connection: sqlite3.Connection | None = None

    async def _in_thread(self, job: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        jobs = self._jobs
        if jobs is None:
            jobs = self._jobs = queue.SimpleQueue()
            threading.Thread(target=_serve, args=(jobs,), name=self._name, daemon=True).start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        jobs.put((functools.partial(job, *args, **kwargs), future, loop))
        return await future

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        jobs = self._jobs
        if jobs is None:
            return
        try:
            if connection is not None:
                await self._in_thread(connection.close)
        finally:
            self._jobs = None
            jobs.put(None)


_Job = tuple[Callable[[], Any], "asyncio.Future[Any]", asyncio.AbstractEventLoop]


def _serve(jobs: queue.SimpleQueue[_Job | None]) -> None:
    """The thread: run each job, hand its outcome to the loop that asked, until told to end."""
    _never_preempt_the_loop()
    while (item := jobs.get()) is not None:
        job, future, loop = item
        try:
            result = job()
        except BaseException as exc:
            outcome: Callable[[], None] = functools.partial(_fail, future, exc)
        else:
            outcome = functools.partial(_succeed, future, result)
        try:
            loop.call_soon_threadsafe(outcome)
        except RuntimeError:
            # The loop was closed while the job ran: nobody is waiting for this outcome.
            log.warning("sqlite_job_outcome_dropped", thread=threading.current_thread().name)


def _never_preempt_the_loop() -> None:
    """Linux: put this thread in the SCHED_BATCH class, whose wake-ups do not preempt.

    Handing a job over wakes the thread; woken as an ordinary thread, it took the CPU from the
    event loop, only to find the loop holding the GIL and sleep again: two context switches
    that showed as 10-16% of the GIL samples at 1,000 updates/s, all on the line that hands
    the job over (py-spy; 6% as a batch thread). A batch thread runs when a CPU is free
    instead, which is also when it can get the GIL.
    """
    batch = getattr(os, "SCHED_BATCH", None)
    if batch is None:
        return
    try:
        os.sched_setscheduler(0, batch, os.sched_param(0))
    except OSError as exc:
        log.warning("sqlite_thread_priority_unchanged", error=repr(exc))


def _succeed(future: asyncio.Future[Any], result: object) -> None:
    if not future.cancelled():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if future.cancelled():
        log.warning("sqlite_job_failed_unawaited", error=repr(error))
    else:
        future.set_exception(error)


class SqliteReader(_ConnectionThread):
    """Reads in a thread of their own; see the module docstring."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connect, "verstas-sqlite-reader")

    async def read(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Run `job` with the connection, in the thread."""
        return await self._in_thread(self._run, job)

    def _run(self, job: Callable[[sqlite3.Connection], T]) -> T:
        if self._connection is None:
            connection = self._connect()
            connection.execute(f"PRAGMA mmap_size={_READER_MMAP_BYTES}")
            self._connection = connection
        return job(self._connection)

    async def close(self) -> None:
        """Close the connection and end the thread; a later read starts them again."""
        await self._close()


class SqliteWriter(_ConnectionThread):
    """The one connection that writes the log and checkpoints; see the module docstring."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], *, sync_wal: bool) -> None:
        """`sync_wal`: sync the WAL file after each commit (the store's `FULL`); without it a
        commit survives a killed process, not a power cut (`NORMAL`)."""
        super().__init__(connect, "verstas-sqlite-writer")
        self._lock = asyncio.Lock()
        self._sync_wal = sync_wal
        self._wal_path = ""
        self._wal: WalFile | None = None
        self._commits_since_wal_checkpoint = 0
        self._wal_checkpoint: asyncio.Task[None] | None = None
        self._wal_connection: sqlite3.Connection | None = None

    async def _opened(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = await self._in_thread(self._connect)
            (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                connection.close()
                raise sqlite3.OperationalError(f"the log needs WAL mode; the file is in {mode}")
            connection.execute("PRAGMA busy_timeout=0")
            # SQLite's automatic WAL checkpoint would run inside a commit, on the loop, with
            # its fsyncs: the thread runs them instead (`_count_wal_commit`).
            connection.execute("PRAGMA wal_autocheckpoint=0")
            # FULL's sync of the WAL after each commit is ours (`_synced`).
            connection.execute("PRAGMA synchronous=NORMAL")
            (_seq, _name, database) = connection.execute("PRAGMA database_list").fetchone()
            self._wal_path = f"{database}-wal"
            self._connection = connection
        return self._connection

    async def append(self, rows: Sequence[Row]) -> list[int]:
        """Insert and commit the rows in one transaction; their positions, sorted.

        Raises the driver's sqlite3.Error: after rolling back, nothing was stored; if only
        the sync of the WAL failed, the rows are committed but perhaps not on the disk, and
        whoever waits for them must treat them as not committed (nothing relays them).
        """
        parameters: list[object] = []
        for row in rows:
            parameters += row
        statement = insert_statement(len(rows))
        async with self._lock:
            connection = await self._opened()
            try:
                last = connection.execute(statement, parameters).lastrowid
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    _roll_back(connection)
                    raise
                last = await self._in_thread(_insert_patiently, connection, statement, parameters)
            except BaseException:
                _roll_back(connection)
                raise
            _commit(connection)
            self._count_wal_commit()
            if self._sync_wal:
                await self._synced()
        return inserted_positions(last, len(rows))

    async def _synced(self) -> None:
        """Sync the WAL file without blocking the loop; see wal_sync.py."""
        with _sync_failures():
            wal = self._wal
            if wal is None:
                wal = await self._in_thread(self._opened_wal)
            await wal.sync(self._in_thread)

    def _opened_wal(self) -> WalFile:
        """In the thread: the WAL file, opened on first use (after a commit: it exists)."""
        if self._wal is None:
            self._wal = WalFile(self._wal_path)
        return self._wal

    def _count_wal_commit(self) -> None:
        """Every WAL_CHECKPOINT_COMMITS commits, copy the WAL into the database in the thread,
        on a connection of its own: a passive checkpoint never blocks the writer, and the next
        commit after a complete one starts the WAL from its beginning again."""
        self._commits_since_wal_checkpoint += 1
        if self._commits_since_wal_checkpoint < WAL_CHECKPOINT_COMMITS:
            return
        if self._wal_checkpoint is not None and not self._wal_checkpoint.done():
            return
        self._commits_since_wal_checkpoint = 0
        self._wal_checkpoint = asyncio.get_running_loop().create_task(
            self._checkpoint_wal(), name="verstas-sqlite-wal-checkpoint"
        )

    async def _checkpoint_wal(self) -> None:
        try:
            frames = await self._in_thread(self._checkpoint_wal_in_thread)
        except sqlite3.Error as exc:
            # The WAL grows until the next attempt; nothing committed is at risk.
            log.warning("sqlite_wal_checkpoint_failed", error=repr(exc))
        else:
            log.debug("sqlite_wal_checkpointed", frames=frames)

    def _checkpoint_wal_in_thread(self) -> int:
        """In the thread: a PASSIVE checkpoint; how many WAL frames it copied."""
        if self._wal_connection is None:
            self._wal_connection = self._connect()
        (_busy, _frames, copied) = self._wal_connection.execute(
            "PRAGMA wal_checkpoint(PASSIVE)"
        ).fetchone()
        return int(copied)

    async def write(self, statement: str, parameters: Sequence[object]) -> int:
        """Run one DML statement in a transaction of its own, in the thread, committed (and
        synced, as `append`) on return; the number of rows it changed. Raises as `append`
        does."""
        async with self._lock:
            connection = await self._opened()
            return await self._in_thread(self._write_durably, connection, statement, parameters)

    def _write_durably(
        self, connection: sqlite3.Connection, statement: str, parameters: Sequence[object]
    ) -> int:
        changed = _write_patiently(connection, statement, parameters)
        if self._sync_wal:
            with _sync_failures():
                self._opened_wal().sync_here()
        return changed

    async def close(self) -> None:
        """Close the connections and end the thread; a later append starts them again."""
        async with self._lock:
            if self._wal_checkpoint is not None:
                await self._wal_checkpoint
                self._wal_checkpoint = None
            wal_connection, self._wal_connection = self._wal_connection, None
            if wal_connection is not None:
                await self._in_thread(wal_connection.close)
            wal, self._wal = self._wal, None
            if wal is not None:
                wal.close()
            await self._close()


@contextlib.contextmanager
def _sync_failures() -> Iterator[None]:
    """A failed sync of the WAL as the driver's error, as every other failed write."""
    try:
        yield
    except OSError as exc:
        raise sqlite3.OperationalError(f"the WAL could not be synced: {exc!r}") from exc


def _commit(connection: sqlite3.Connection) -> None:
    """On the loop: the transaction holds the write lock already, so a commit never waits for
    another connection. Rolls back if it fails: nothing of the batch stays."""
    try:
        connection.commit()
    except BaseException:
        _roll_back(connection)
        raise


def _insert_patiently(
    connection: sqlite3.Connection, statement: str, parameters: Sequence[object]
) -> int | None:
    """In the thread: the INSERT that found the write lock taken, waiting for it this time;
    the last row id."""
    try:
        with _waiting_for_locks(connection):
            return connection.execute(statement, parameters).lastrowid
    except BaseException:
        _roll_back(connection)
        raise


def _write_patiently(
    connection: sqlite3.Connection, statement: str, parameters: Sequence[object]
) -> int:
    """In the thread: one statement and its commit, waiting for the write lock if taken."""
    try:
        with _waiting_for_locks(connection):
            changed = connection.execute(statement, parameters).rowcount
            connection.commit()
            return changed
    except BaseException:
        _roll_back(connection)
        raise


@contextlib.contextmanager
def _waiting_for_locks(connection: sqlite3.Connection) -> Iterator[None]:
    connection.execute(f"PRAGMA busy_timeout={_PATIENCE_MS}")
    try:
        yield
    finally:
        connection.execute("PRAGMA busy_timeout=0")


def _roll_back(connection: sqlite3.Connection) -> None:
    # A failed rollback leaves nothing to undo worth reporting over the first error.
    with contextlib.suppress(sqlite3.Error):
        connection.rollback()
