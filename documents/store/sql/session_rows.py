"""What every module of the session store shares: how its write transactions exclude each other,
reading a session row, and the start and the bookkeeping of every write that depends on a session.

A cast checks a person's dots and inserts one; a note is added only while its session is live
and its phase takes notes; a reveal and an edit must not both win. Each is a read followed by a
write that is only right if nobody changed the rows read in between, so each runs in a
transaction that first locks what it reads (`Writes`, one per database: `SqliteWrites` in
sqlite.py, `PostgresWrites` in postgres.py):

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

import contextlib
import json
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from documents.live.state import SessionState
from documents.records import aware
from documents.store import tables
from documents.store.sessions import NoSuchRow, SessionConflict, SessionRecord

_S = tables.sessions.c


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


def session_record(data: Mapping[Any, Any]) -> SessionRecord:
    """The record of a row of `sessions`, by column name."""
    ended = data["ended_at"]
    return SessionRecord(
        id=data["id"],
        workshop_id=data["workshop_id"],
        title=data["title"],
        state=SessionState.from_json(json.loads(data["state"])),
        live=data["live_workshop_id"] is not None,
        revision=int(data["revision"]),
        notes_version=int(data["notes_version"]),
        version_id=data["version_id"],
        created_at=aware(data["created_at"]),
        ended_at=None if ended is None else aware(ended),
    )


def state_json(state: SessionState) -> str:
    return json.dumps(state.to_json(), ensure_ascii=False, separators=(",", ":"))


async def live_session(writes: Writes, conn: AsyncConnection, session_id: str) -> SessionRecord:
    """The session, locked for the rest of the transaction; SessionConflict unless it is live.
    Every write that depends on a session being live (or on its phase) starts here."""
    query = writes.locking(select(tables.sessions).where(_S.id == session_id))
    row = (await conn.execute(query)).first()
    if row is None:
        raise NoSuchRow(f"no session {session_id}")
    record = session_record(row._mapping)
    if not record.live:
        raise SessionConflict("session_ended", "the session has ended")
    return record


async def bump(
    conn: AsyncConnection, session_id: str, *, revision: bool = True, notes: bool = False
) -> None:
    """Count a change: one everyone sees (`revision`) and/or one to notes."""
    values: dict[str, Any] = {}
    if revision:
        values["revision"] = _S.revision + 1
    if notes:
        values["notes_version"] = _S.notes_version + 1
    await conn.execute(update(tables.sessions).where(_S.id == session_id).values(**values))
