"""The session store: live Innopaja sessions, their people, hidden notes and dot votes.

Three small contracts, one per concern (sessions with their people and links, notes, votes),
each implemented once in SQL for both databases (`sessions_sql.py`, `notes_sql.py`,
`votes_sql.py`). What differs between the databases is how a write transaction serializes with
the others on the same rows (`session_writes.py`): a row lock (`SELECT ... FOR UPDATE`) on
PostgreSQL, the database's write lock taken at `BEGIN IMMEDIATE` on SQLite.

Every change that must respect a rule checked against stored rows (one live session per
workshop, notes only while the phase takes them, a note edited only before its reveal, the
limits of a dot vote) runs the check and the change in one such transaction. Hidden notes are
only ever in these tables; nothing here writes a document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from documents.live.state import SessionState
from documents.live.votes import Tally, VoteRules


class NoSuchRow(LookupError):
    """The session, note or vote named is not there (or not the caller's): HTTP 404."""


class SessionConflict(Exception):
    """The stored state does not allow the change (HTTP 409); `code` names the rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: str
    workshop_id: str
    title: str
    state: SessionState
    live: bool
    revision: int  # changes everyone sees
    notes_version: int  # changes to notes
    version_id: str | None  # the automatic version made when it ended
    created_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: str
    session_id: str
    name: str
    link_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NoteRecord:
    id: str
    session_id: str
    person_id: str
    author: str  # the person's name (shown on reveal unless anonymous)
    phase: int
    text: str
    created_at: datetime
    updated_at: datetime
    revealed_at: datetime | None
    anonymous: bool | None  # decided at the reveal
    written: bool  # among the content document's ideas


@dataclass(frozen=True, slots=True)
class VoteRecord:
    id: str
    session_id: str
    rules: VoteRules
    opened_at: datetime
    closed_at: datetime | None
    results: list[Tally] | None  # ordered, once closed

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class Ballot:
    """One person's dots on a vote right after a cast or a take-back, and how many people have
    at least one dot on it (never the tallies)."""

    vote: VoteRecord
    mine: dict[str, int]
    voters: int


Change = Callable[[SessionState], SessionState]
"""A facilitator's action on the steering state; raises the rules' errors to refuse it."""


class SessionRows(Protocol):
    async def create(self, workshop_id: str, title: str, state: SessionState) -> SessionRecord:
        """A new live session; SessionConflict when the workshop already has one."""

    async def get(self, workshop_id: str, session_id: str) -> SessionRecord | None:
        """The session, if it is one of this workshop's."""

    async def listing(self, workshop_id: str) -> list[SessionRecord]:
        """The workshop's sessions, newest first."""

    async def live(self, workshop_id: str) -> SessionRecord | None:
        """The workshop's live session, if it has one (what a loading room reads locks from)."""

    async def change(self, workshop_id: str, session_id: str, change: Change) -> SessionRecord:
        """Apply `change` to the live session's state under its row lock; the revision moves
        only when the state does. SessionConflict once the session has ended."""

    async def end(
        self, workshop_id: str, session_id: str, now: float, labels: Mapping[str, str]
    ) -> SessionRecord:
        """End the live session (its state `ended`), closing its open vote with these item
        labels in the same transaction. SessionConflict when it is not live."""

    async def set_version(self, session_id: str, version_id: str) -> None:
        """Record the automatic version made of the content when the session ended."""

    async def join(self, session_id: str, name: str, link_id: str | None) -> PersonRecord:
        """A person joins the live session under a name."""

    async def person(self, session_id: str, person_id: str) -> PersonRecord | None: ...

    async def people(self, session_id: str) -> int:
        """How many joined."""

    async def add_link(self, session_id: str, link_id: str) -> None:
        """A share link that expires when the session ends."""

    async def links(self, session_id: str) -> list[str]:
        """The ids of the share links that expire with the session."""


class NoteRows(Protocol):
    async def add(self, session_id: str, person_id: str, text: str) -> NoteRecord:
        """A hidden note, while the session is live and its phase takes notes."""

    async def edit(self, session_id: str, note_id: str, person_id: str, text: str) -> NoteRecord:
        """The author changes a note before its reveal; NoSuchRow if it is not theirs."""

    async def withdraw(self, session_id: str, note_id: str, person_id: str) -> None:
        """The author takes a note back before its reveal; NoSuchRow if it is not theirs."""

    async def listing(
        self, session_id: str, person_id: str | None = None
    ) -> tuple[list[NoteRecord], int]:
        """The notes (one person's, or all) in the order written, and the notes version they
        stand for (read first: a change made meanwhile is never mistaken for seen)."""

    async def version(self, session_id: str) -> int: ...

    async def reveal(self, session_id: str, anonymous: bool) -> list[NoteRecord]:
        """Reveal every hidden note of the live session; returns every revealed note not yet
        written into the content (those just revealed and any an interrupted reveal left)."""

    async def written(self, note_ids: Sequence[str]) -> None:
        """These revealed notes are now among the content's ideas."""

    async def revealed(self, session_id: str) -> list[NoteRecord]:
        """The revealed notes, in the order they were revealed and written."""


class VoteRows(Protocol):
    async def open(self, session_id: str, rules: VoteRules) -> VoteRecord:
        """Open a vote in the live session; SessionConflict if one is open already."""

    async def get(self, session_id: str, vote_id: str) -> VoteRecord | None: ...

    async def listing(self, session_id: str) -> list[VoteRecord]:
        """The session's votes in the order opened."""

    async def cast(self, session_id: str, vote_id: str, person_id: str, item: str) -> Ballot:
        """One more dot of this person's on item. VoteRefused when a limit (or the vote's
        closing) says no."""

    async def uncast(self, session_id: str, vote_id: str, person_id: str, item: str) -> Ballot:
        """Take one of this person's dots off item."""

    async def dots(self, vote_id: str, person_id: str) -> dict[str, int]:
        """One person's dots per item."""

    async def voters(self, vote_id: str) -> int:
        """How many people have at least one dot on the vote (no tallies)."""

    async def close(self, session_id: str, vote_id: str, labels: Mapping[str, str]) -> VoteRecord:
        """Close an open vote: its ordered results, with the items' labels, become readable.
        SessionConflict if it is closed already."""


@dataclass(frozen=True, slots=True)
class SessionStore:
    """The three contracts over one database."""

    sessions: SessionRows
    notes: NoteRows
    votes: VoteRows
