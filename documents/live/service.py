"""Running a live session: each action is decided and committed in the session store, then
shown to everyone through the `{id}.session` document.

The documents are edited through a `DocumentEdit` the web layer hands over (the room
registry's server edit, as restores and pulls use it), and read through a `Snapshot`, so this
module needs nothing from collab. Order matters where a crash could fall between two steps:

- a reveal marks the notes revealed in the database first (after that no author can change
  them), then writes them into the content's ideas (under the notes' own ids, so writing one
  twice is impossible), then records them as written; notes a crash left revealed but
  unwritten are written by the next reveal, or when the session ends;
- ending commits the end (and closes the open vote) first, then writes such notes, then names
  the version of the content; ending again finishes what a crash interrupted.

Several server processes may publish the same session at once; the document keeps the highest
revision of each session it was given (see view.write_view).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import structlog
from pycrdt import Doc

from documents.access import DocumentKind, document_name
from documents.lineage_service import name_version
from documents.live.record import finnish_date, session_record
from documents.live.state import Phase, SessionState
from documents.live.view import session_view, write_view
from documents.live.votes import InvalidVote, VoteRules, item_labels
from documents.records import WorkshopRecord
from documents.store.base import Store
from documents.store.sessions import (
    Change,
    NoteRecord,
    SessionConflict,
    SessionRecord,
    VoteRecord,
)
from documents.workshop_doc import ContentData, add_idea, content_to_data, load_document, root
from documents.workshop_service import Snapshot

log = structlog.get_logger(__name__)

DocumentEdit = Callable[[str, Callable[[Doc[Any]], None]], Awaitable[None]]
"""(document name, edit): run the edit on the live document as one change of the server's,
committed before it returns, and received by everyone connected."""


class LiveSessions:
    def __init__(
        self,
        store: Store,
        snapshot: Snapshot,
        edit: DocumentEdit,
    ) -> None:
        self._store = store
        self._rows = store.sessions
        self._snapshot = snapshot
        self._edit = edit

    async def start(
        self, workshop: WorkshopRecord, title: str, phases: Sequence[Phase]
    ) -> SessionRecord:
        state = SessionState.begun(phases, time.time())
        session = await self._rows.sessions.create(workshop.id, title, state)
        log.info("session_started", workshop=workshop.id, session=session.id, title=title)
        await self.publish(session)
        return session

    async def change(self, session: SessionRecord, change: Change) -> SessionRecord:
        """A facilitator's action on the steering state (phase, focus, timer, locks)."""
        changed = await self._rows.sessions.change(session.workshop_id, session.id, change)
        if changed.revision != session.revision:
            await self.publish(changed)
        return changed

    async def reveal(self, session: SessionRecord, anonymous: bool) -> list[NoteRecord]:
        """Reveal every hidden note into the content's ideas; returns the notes written."""
        pending = await self._rows.notes.reveal(session.id, anonymous)
        await self._write_ideas(session.workshop_id, pending)
        log.info(
            "notes_revealed",
            workshop=session.workshop_id,
            session=session.id,
            notes=len(pending),
            anonymous=anonymous,
        )
        await self.publish(session)
        return pending

    async def _write_ideas(self, workshop_id: str, notes: list[NoteRecord]) -> None:
        if not notes:
            return

        def write(doc: Doc[Any]) -> None:
            ideas = root(doc, "ideas")
            for note in notes:
                if note.id not in ideas:
                    author = "" if note.anonymous else note.author
                    add_idea(doc, note.text, author, idea_id=note.id)

        await self._edit(document_name(workshop_id, DocumentKind.CONTENT), write)
        await self._rows.notes.written([note.id for note in notes])

    async def open_vote(self, session: SessionRecord, rules: VoteRules) -> VoteRecord:
        """InvalidVote when an item is not in the content (any more)."""
        labels = item_labels(await self._content(session.workshop_id))
        missing = [item for item in rules.items if item not in labels]
        if missing:
            raise InvalidVote(f"not in the workshop's content: {', '.join(missing)}")
        vote = await self._rows.votes.open(session.id, rules)
        await self.publish(session)
        return vote

    async def close_vote(self, session: SessionRecord, vote_id: str) -> VoteRecord:
        labels = item_labels(await self._content(session.workshop_id))
        vote = await self._rows.votes.close(session.id, vote_id, labels)
        await self.publish(session)
        return vote

    async def end(self, workshop: WorkshopRecord, session: SessionRecord) -> SessionRecord:
        """End the session: its record is closed, revealed notes are all in the content, and a
        version of the content is named "Innopaja: TITLE, DATE"."""
        if session.live:
            labels = item_labels(await self._content(workshop.id))
            session = await self._rows.sessions.end(workshop.id, session.id, time.time(), labels)
        elif session.version_id is not None:
            raise SessionConflict("session_ended", "the session has ended")
        revealed = await self._rows.notes.revealed(session.id)
        await self._write_ideas(workshop.id, [note for note in revealed if not note.written])
        ended = session.ended_at.timestamp() if session.ended_at else time.time()
        label = f"Innopaja: {session.title}, {finnish_date(ended)}"
        version = await name_version(
            self._store, self._snapshot, workshop, label, author=None, automatic=True
        )
        await self._rows.sessions.set_version(session.id, version.id)
        log.info("session_ended", workshop=workshop.id, session=session.id, version=version.id)
        ended_session = await self._rows.sessions.get(workshop.id, session.id)
        assert ended_session is not None  # sessions are never deleted
        await self.publish(ended_session)
        return ended_session

    async def publish(self, session: SessionRecord) -> None:
        """Bring the session document up to date with the stored session."""
        current = await self._rows.sessions.get(session.workshop_id, session.id)
        if current is None:
            return
        view = session_view(
            current,
            await self._rows.votes.listing(session.id),
            await self._rows.notes.revealed(session.id),
        )
        name = document_name(session.workshop_id, DocumentKind.SESSION)
        await self._edit(name, lambda doc: write_view(doc, view))

    async def record(self, workshop: WorkshopRecord, session: SessionRecord) -> dict[str, Any]:
        """The session's record (schemas/session-export.schema.json)."""
        version = None
        if session.version_id is not None:
            found = await self._store.lineage.version(workshop.id, session.version_id)
            if found is not None:
                version = {"id": found.id, "label": found.label}
        return session_record(
            {"id": workshop.id, "title": workshop.title},
            session,
            await self._rows.votes.listing(session.id),
            await self._rows.notes.revealed(session.id),
            await self._rows.sessions.people(session.id),
            version,
        )

    async def _content(self, workshop_id: str) -> ContentData:
        state, _ = await self._snapshot(document_name(workshop_id, DocumentKind.CONTENT))
        return content_to_data(load_document(DocumentKind.CONTENT, state))
