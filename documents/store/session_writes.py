"""How the session store's write transactions exclude each other, per database.

A cast checks a person's dots and inserts one; a note is added only while its session is live
and its phase takes notes; a reveal and an edit must not both win. Each is a read followed by a
write that is only right if nobody changed the rows read in between, so each runs in a
transaction that first locks what it reads:

- PostgreSQL: `SELECT ... FOR UPDATE` on the row that stands for the rule (the session, the
  vote, the person). Transactions on other rows run in parallel; those on the same row queue
  on it. `FOR SHARE` holds a row against those (a vote is not closed while a cast on it runs)
  without making its holders wait for each other.
- SQLite: the transaction starts with `BEGIN IMMEDIATE`, which takes the database's one write
  lock before the first read, so the reads and the write are one step for every other writer
  (another process, the CLI). In this process the transactions also queue on an asyncio lock
  first, so they wait their turn without SQLite's busy handler (its retries sleep 1, 2, 5, 10
  ms and more) and only one pooled connection at a time holds the write lock. The update log's
  writer meets the lock like any other writer's (see sqlite_threads.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Protocol

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class Writes(Protocol):
    def transaction(self) -> contextlib.AbstractAsyncContextManager[AsyncConnection]:
        """A connection in a write transaction, committed when the block ends without error
        and rolled back otherwise."""
        ...

    def locking(self, query: Select[Any]) -> Select[Any]:
        """The query, made to lock the rows it reads until the transaction ends."""
        ...

    def sharing(self, query: Select[Any]) -> Select[Any]:
        """The query, made to hold the rows it reads against `locking` (not against each other)
        until the transaction ends."""
        ...


class PostgresWrites:
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


class SqliteWrites:
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


def writes_for(engine: AsyncEngine) -> Writes:
    if engine.dialect.name == "sqlite":
        return SqliteWrites(engine)
    return PostgresWrites(engine)
