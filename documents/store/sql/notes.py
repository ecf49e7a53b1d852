"""Hidden notes in SQL (see documents/store/sessions.py for the contract, session_rows.py for
the locking).

Every write holds the session's row lock: a note is added only while the session is live and
its current phase takes notes, and an edit or a withdrawal cannot slip in after the reveal that
made the note public (the reveal takes the same lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import ColumnElement, Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from documents.records import aware, new_id, utc_now
from documents.store import tables
from documents.store.sessions import NoSuchRow, NoteRecord, SessionConflict
from documents.store.sql.session_rows import Writes, bump, live_session

MAX_NOTES_PER_PERSON: Final = 200

_N = tables.session_notes.c
_P = tables.session_people.c
_WITH_AUTHOR = select(tables.session_notes, _P.name.label("author")).join(
    tables.session_people, _P.id == _N.person_id
)


def _note(row: Row[Any]) -> NoteRecord:
    data = row._mapping
    revealed = data["revealed_at"]
    anonymous = data["anonymous"]
    return NoteRecord(
        id=data["id"],
        session_id=data["session_id"],
        person_id=data["person_id"],
        author=data["author"],
        phase=int(data["phase"]),
        text=data["text"],
        created_at=aware(data["created_at"]),
        updated_at=aware(data["updated_at"]),
        revealed_at=None if revealed is None else aware(revealed),
        anonymous=None if anonymous is None else bool(anonymous),
        written=data["written_at"] is not None,
    )


async def _notes(conn: AsyncConnection, *conditions: ColumnElement[bool]) -> list[NoteRecord]:
    query = _WITH_AUTHOR.where(*conditions).order_by(_N.created_at, _N.id)
    return [_note(row) for row in (await conn.execute(query)).all()]


class SqlNoteRows:
    def __init__(self, engine: AsyncEngine, writes: Writes) -> None:
        self._engine = engine
        self._writes = writes

    async def add(self, session_id: str, person_id: str, text: str) -> NoteRecord:
        note_id, now = new_id(), utc_now()
        async with self._writes.transaction() as conn:
            session = await live_session(self._writes, conn, session_id)
            if not session.state.current.notes:
                raise SessionConflict(
                    "notes_closed", f"phase {session.state.current.title!r} takes no notes"
                )
            written = await conn.scalar(
                select(func.count()).where(_N.session_id == session_id, _N.person_id == person_id)
            )
            if (written or 0) >= MAX_NOTES_PER_PERSON:
                raise SessionConflict(
                    "too_many_notes", f"at most {MAX_NOTES_PER_PERSON} notes per person"
                )
            row = {
                "id": note_id,
                "session_id": session_id,
                "person_id": person_id,
                "phase": session.state.phase,
                "text": text,
                "created_at": now,
                "updated_at": now,
                "revealed_at": None,
                "anonymous": None,
                "written_at": None,
            }
            await conn.execute(insert(tables.session_notes), [row])
            await bump(conn, session_id, revision=False, notes=True)
            [note] = await _notes(conn, _N.id == note_id)
        return note

    async def _own_hidden(
        self, conn: AsyncConnection, session_id: str, note_id: str, person_id: str
    ) -> None:
        """Lock the session; LookupError unless the note is this person's, SessionConflict
        once it is revealed."""
        await live_session(self._writes, conn, session_id)
        query = select(_N.revealed_at).where(
            _N.id == note_id, _N.session_id == session_id, _N.person_id == person_id
        )
        row = (await conn.execute(query)).first()
        if row is None:
            raise NoSuchRow(f"no note {note_id} of yours in this session")
        if row.revealed_at is not None:
            raise SessionConflict("note_revealed", "the note is revealed: it is everyone's now")

    async def edit(self, session_id: str, note_id: str, person_id: str, text: str) -> NoteRecord:
        async with self._writes.transaction() as conn:
            await self._own_hidden(conn, session_id, note_id, person_id)
            await conn.execute(
                update(tables.session_notes)
                .where(_N.id == note_id)
                .values(text=text, updated_at=utc_now())
            )
            await bump(conn, session_id, revision=False, notes=True)
            [note] = await _notes(conn, _N.id == note_id)
        return note

    async def withdraw(self, session_id: str, note_id: str, person_id: str) -> None:
        async with self._writes.transaction() as conn:
            await self._own_hidden(conn, session_id, note_id, person_id)
            await conn.execute(delete(tables.session_notes).where(_N.id == note_id))
            await bump(conn, session_id, revision=False, notes=True)

    async def listing(
        self, session_id: str, person_id: str | None = None
    ) -> tuple[list[NoteRecord], int]:
        conditions = [_N.session_id == session_id]
        if person_id is not None:
            conditions.append(_N.person_id == person_id)
        async with self._engine.connect() as conn:
            version = await self._version(conn, session_id)
            return await _notes(conn, *conditions), version

    async def version(self, session_id: str) -> int:
        async with self._engine.connect() as conn:
            return await self._version(conn, session_id)

    @staticmethod
    async def _version(conn: AsyncConnection, session_id: str) -> int:
        s = tables.sessions.c
        return int(await conn.scalar(select(s.notes_version).where(s.id == session_id)) or 0)

    async def reveal(self, session_id: str, anonymous: bool) -> list[NoteRecord]:
        async with self._writes.transaction() as conn:
            await live_session(self._writes, conn, session_id)
            await conn.execute(
                update(tables.session_notes)
                .where(_N.session_id == session_id, _N.revealed_at.is_(None))
                .values(revealed_at=utc_now(), anonymous=anonymous)
            )
            await bump(conn, session_id, notes=True)
            return await _notes(
                conn,
                _N.session_id == session_id,
                _N.revealed_at.is_not(None),
                _N.written_at.is_(None),
            )

    async def written(self, note_ids: Sequence[str]) -> None:
        if not note_ids:
            return
        async with self._writes.transaction() as conn:
            await conn.execute(
                update(tables.session_notes)
                .where(_N.id.in_(list(note_ids)))
                .values(written_at=utc_now())
            )

    async def revealed(self, session_id: str) -> list[NoteRecord]:
        query = _WITH_AUTHOR.where(
            _N.session_id == session_id, _N.revealed_at.is_not(None)
        ).order_by(_N.revealed_at, _N.created_at, _N.id)
        async with self._engine.connect() as conn:
            return [_note(row) for row in (await conn.execute(query)).all()]
