"""Sessions, the people who joined them and their expiring share links, in SQL (see
documents/store/sessions.py for the contract and session_rows.py for the locking)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import Dialect, Row, String, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from documents.live.state import SessionState
from documents.records import aware, new_id, utc_now
from documents.store import tables
from documents.store.sessions import (
    Change,
    NoSuchRow,
    PersonRecord,
    SessionConflict,
    SessionRecord,
    SessionStore,
)
from documents.store.sql.notes import SqlNoteRows
from documents.store.sql.rows import DriverQuery, ReadRows, driver_query, utc_datetime, utc_text
from documents.store.sql.session_rows import Writes, live_session, session_record, state_json
from documents.store.sql.votes import SqlVoteRows, close_open_vote

MAX_PEOPLE = 1000  # per session: the room is full long before this

_S = tables.sessions.c


def _person(row: Row[Any]) -> PersonRecord:
    data = row._mapping
    return PersonRecord(
        id=data["id"],
        session_id=data["session_id"],
        name=data["name"],
        link_id=data["link_id"],
        created_at=aware(data["created_at"]),
    )


_TIMESTAMPS = frozenset({"created_at", "ended_at"})


def _live_query(dialect: Dialect) -> DriverQuery:
    """`live` as read through ReadRows: every column, the timestamps as text (`utc_text`)."""
    columns = [
        utc_text(column).label(column.name) if column.name in _TIMESTAMPS else column
        for column in tables.sessions.c
    ]
    live = bindparam("workshop_id", type_=String)
    return driver_query(select(*columns).where(_S.live_workshop_id == live), dialect)


class SqlSessionRows:
    """Sessions; `live`, which every room of a workshop's content reads as it loads (its locks:
    web/session_locks.py), through the database's `read` (see ReadRows)."""

    def __init__(self, engine: AsyncEngine, writes: Writes, read: ReadRows) -> None:
        self._engine = engine
        self._writes = writes
        self._read = read
        self._live_query = _live_query(engine.dialect)

    async def create(self, workshop_id: str, title: str, state: SessionState) -> SessionRecord:
        record = SessionRecord(
            id=new_id(),
            workshop_id=workshop_id,
            title=title,
            state=state,
            live=True,
            revision=1,
            notes_version=0,
            version_id=None,
            created_at=utc_now(),
            ended_at=None,
        )
        row = {
            "id": record.id,
            "workshop_id": workshop_id,
            "title": title,
            "live_workshop_id": workshop_id,
            "state": state_json(state),
            "revision": record.revision,
            "notes_version": record.notes_version,
            "version_id": None,
            "created_at": record.created_at,
            "ended_at": None,
        }
        try:
            async with self._writes.transaction() as conn:
                await conn.execute(insert(tables.sessions), [row])
        except IntegrityError:
            if await self.live(workshop_id) is None:
                raise
            raise SessionConflict(
                "session_live", "the workshop has a live session: end it before starting another"
            ) from None
        return record

    async def live(self, workshop_id: str) -> SessionRecord | None:
        rows = await self._read(self._live_query, workshop_id=workshop_id)
        if not rows:
            return None
        data = dict(zip((column.name for column in tables.sessions.c), rows[0], strict=True))
        for name in _TIMESTAMPS:
            if data[name] is not None:
                data[name] = utc_datetime(data[name])
        return session_record(data)

    async def get(self, workshop_id: str, session_id: str) -> SessionRecord | None:
        query = select(tables.sessions).where(_S.id == session_id, _S.workshop_id == workshop_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else session_record(row._mapping)

    async def listing(self, workshop_id: str) -> list[SessionRecord]:
        query = (
            select(tables.sessions)
            .where(_S.workshop_id == workshop_id)
            .order_by(_S.created_at.desc(), _S.id)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [session_record(row._mapping) for row in rows]

    async def change(self, workshop_id: str, session_id: str, change: Change) -> SessionRecord:
        async with self._writes.transaction() as conn:
            record = await live_session(self._writes, conn, session_id)
            if record.workshop_id != workshop_id:
                raise NoSuchRow(f"no session {session_id} in workshop {workshop_id}")
            state = change(record.state)
            if state == record.state:
                return record
            await conn.execute(
                update(tables.sessions)
                .where(_S.id == session_id)
                .values(state=state_json(state), revision=_S.revision + 1)
            )
        return replace(record, state=state, revision=record.revision + 1)

    async def end(
        self, workshop_id: str, session_id: str, now: float, labels: Mapping[str, str]
    ) -> SessionRecord:
        ended_at = utc_now()
        async with self._writes.transaction() as conn:
            record = await live_session(self._writes, conn, session_id)
            if record.workshop_id != workshop_id:
                raise NoSuchRow(f"no session {session_id} in workshop {workshop_id}")
            await close_open_vote(self._writes, conn, session_id, labels)
            state = record.state.ended(now)
            await conn.execute(
                update(tables.sessions)
                .where(_S.id == session_id)
                .values(
                    state=state_json(state),
                    live_workshop_id=None,
                    ended_at=ended_at,
                    revision=_S.revision + 1,
                )
            )
        return replace(
            record, state=state, live=False, revision=record.revision + 1, ended_at=ended_at
        )

    async def set_version(self, session_id: str, version_id: str) -> None:
        async with self._writes.transaction() as conn:
            await conn.execute(
                update(tables.sessions).where(_S.id == session_id).values(version_id=version_id)
            )

    async def join(self, session_id: str, name: str, link_id: str | None) -> PersonRecord:
        person = PersonRecord(new_id(), session_id, name, link_id, utc_now())
        p = tables.session_people.c
        async with self._writes.transaction() as conn:
            await live_session(self._writes, conn, session_id)
            joined = await conn.scalar(select(func.count()).where(p.session_id == session_id))
            if (joined or 0) >= MAX_PEOPLE:
                raise SessionConflict("session_full", f"{MAX_PEOPLE} people have joined already")
            await conn.execute(
                insert(tables.session_people),
                [
                    {
                        "id": person.id,
                        "session_id": session_id,
                        "name": name,
                        "link_id": link_id,
                        "created_at": person.created_at,
                    }
                ],
            )
        return person

    async def person(self, session_id: str, person_id: str) -> PersonRecord | None:
        p = tables.session_people.c
        query = select(tables.session_people).where(p.id == person_id, p.session_id == session_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _person(row)

    async def people(self, session_id: str) -> int:
        p = tables.session_people.c
        async with self._engine.connect() as conn:
            count = await conn.scalar(select(func.count()).where(p.session_id == session_id))
        return int(count or 0)

    async def add_link(self, session_id: str, link_id: str) -> None:
        async with self._writes.transaction() as conn:
            await conn.execute(
                insert(tables.session_links), [{"link_id": link_id, "session_id": session_id}]
            )

    async def links(self, session_id: str) -> list[str]:
        column = tables.session_links.c
        query = select(column.link_id).where(column.session_id == session_id)
        async with self._engine.connect() as conn:
            return [str(link) for link in (await conn.execute(query)).scalars()]


def sql_session_store(engine: AsyncEngine, writes: Writes, read: ReadRows) -> SessionStore:
    """The session store on the database of `engine` (the update log's: one pool for both),
    its write transactions made by the database's `writes`, its hot read by `read`."""
    return SessionStore(
        SqlSessionRows(engine, writes, read),
        SqlNoteRows(engine, writes),
        SqlVoteRows(engine, writes),
    )
