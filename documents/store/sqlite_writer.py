"""SQLite writes (the group commit, checkpoints): one dedicated thread, one plain connection.

Why a thread of its own: with `synchronous=FULL` every commit waits for an fsync, which must not
stall the event loop (every room would stop for it), and the thread hand-offs are what a commit
costs in CPU (../shared/PERFORMANCE_NOTES.md: ~95 us each). aiosqlite pays two per append (the
INSERT, then the COMMIT) plus its own queue; here a whole batch, INSERT ... RETURNING and
COMMIT, is one job: one hand-off to the thread, one hand-back to the loop.

Checkpoints are written by the same thread: a second writing connection would contend for
SQLite's one write lock, and a commit that finds it taken retries only after the busy
handler's sleeps (1, 2, 5, 10 ms...), which showed as delivery stalls of tens of milliseconds.

The connection is opened in that thread by its first job and only ever used there, so it
needs no locking. The sqlite3 driver's legacy transaction control opens the transaction
implicitly, inside the INSERT's own call (see documents/store/sql.py for why that is wanted).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

Row = tuple[str, bytes, int]
"""(document, update, checksum): one log entry to insert."""


def insert_statement(rows: int) -> str:
    """One INSERT for the whole batch; RETURNING gives each row's position."""
    values = ", ".join(["(?, ?, ?)"] * rows)
    return f"INSERT INTO updates (document, data, checksum) VALUES {values} RETURNING position"


class SqliteWriter:
    """Appends batches in its own thread; `append` is called by one task at a time."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        """`connect` opens the connection (with its PRAGMAs set); it runs in the thread."""
        self._connect = connect
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None  # only touched in the thread

    async def append(self, rows: Sequence[Row]) -> list[int]:
        """Insert and commit the rows in one transaction; their positions, sorted.

        Raises the driver's sqlite3.Error after rolling back: then nothing was stored.
        """
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="verstas-sqlite-writer")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._append, rows)

    async def write(self, statement: str, parameters: Sequence[object]) -> int:
        """Run one DML statement in a transaction of its own, committed on return; the number
        of rows it changed. Raises as `append` does."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="verstas-sqlite-writer")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._write, statement, parameters)

    def _append(self, rows: Sequence[Row]) -> list[int]:
        parameters: list[object] = []
        for row in rows:
            parameters += row
        with self._transaction() as connection:
            returned = connection.execute(insert_statement(len(rows)), parameters).fetchall()
        # Positions are sorted, never taken in RETURNING order (which SQLite does not promise):
        # a multi-row VALUES is inserted as listed, with increasing positions.
        return sorted(int(position) for (position,) in returned)

    def _write(self, statement: str, parameters: Sequence[object]) -> int:
        with self._transaction() as connection:
            return connection.execute(statement, parameters).rowcount

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """The driver opens the transaction at the first DML statement; commit at the end, or
        roll back on any error."""
        connection = self._connection
        if connection is None:
            connection = self._connection = self._connect()
        try:
            yield connection
            connection.commit()
        except BaseException:
            # A failed rollback leaves nothing to undo worth reporting over the first error.
            with contextlib.suppress(sqlite3.Error):
                connection.rollback()
            raise

    def _close_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    async def close(self) -> None:
        """Close the connection and end the thread; a later append starts them again."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        try:
            await asyncio.get_running_loop().run_in_executor(executor, self._close_connection)
        finally:
            executor.shutdown(wait=False)
