"""What every module of the session store shares: reading a session row, and the start and the
bookkeeping of every write that depends on a session (see session_writes.py)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from documents.live.state import SessionState
from documents.store import tables
from documents.store.session_writes import Writes
from documents.store.sessions import NoSuchRow, SessionConflict, SessionRecord
from documents.store.workshops import aware

_S = tables.sessions.c


def session_record(row: Row[Any]) -> SessionRecord:
    data = row._mapping
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
    record = session_record(row)
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
