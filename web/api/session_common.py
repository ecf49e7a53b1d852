"""What the session API's modules (sessions, session_notes, session_votes) share:
their paths, the service on this server's rooms, the rules' refusals as API errors, finding the
session and the person a request names, and a vote as JSON."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from pycrdt import Doc
from starlette.requests import Request

from documents.access import DocumentKind, document_name
from documents.live.service import LiveSessions
from documents.live.state import InvalidPhase, TooManyLocks
from documents.live.targets import InvalidTarget
from documents.live.timer import TimerError
from documents.live.view import vote_json
from documents.live.votes import InvalidVote, VoteRefused
from documents.store.sessions import (
    NoSuchRow,
    PersonRecord,
    SessionConflict,
    SessionRecord,
    VoteRecord,
)
from web.api.contract import BODY_ERRORS, ERRORS
from web.api.errors import ApiError
from web.api.services import Services, store_of
from web.auth import Access

SESSIONS = "/api/workshops/{workshop_id}/sessions"
SESSION = SESSIONS + "/{session_id}"

# What an operation may answer when the state refuses it; with a JSON body, and without.
CONFLICTS: dict[int, str | None] = {**ERRORS, 409: "error"}
BODY_CONFLICTS: dict[int, str | None] = {**BODY_ERRORS, 409: "error"}
PERSON_HEADER = "Verstas-Person"
PERSON_PARAMETER: dict[str, Any] = {
    "name": PERSON_HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The person key from joining the session (POST .../participants): whose "
    "notes and dots these are. Sent with the share-link token it was obtained with.",
}


def content_document(workshop_id: str) -> str:
    return document_name(workshop_id, DocumentKind.CONTENT)


def live_sessions(request: Request) -> LiveSessions:
    """The session service on this server's rooms: documents are edited as restores are."""
    rooms = Services.of(request).hub.rooms

    async def edit(name: str, change: Callable[[Doc[Any]], None]) -> None:
        async with rooms.holding(name) as room:
            await room.server_edit(change)

    return LiveSessions(store_of(request), rooms.snapshot, edit)


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """The rules' refusals as API errors: 409 for what the state does not allow now, 422 for
    what names nothing, 404 for rows that are not there."""
    try:
        yield
    except (SessionConflict, VoteRefused) as exc:
        raise ApiError(409, exc.code, exc.message) from None
    except TimerError as exc:
        raise ApiError(409, "timer_state", str(exc)) from None
    except InvalidTarget as exc:
        raise ApiError(422, "invalid_target", str(exc)) from None
    except InvalidPhase as exc:
        raise ApiError(422, "invalid_phase", str(exc)) from None
    except TooManyLocks as exc:
        raise ApiError(422, "too_many_locks", str(exc)) from None
    except InvalidVote as exc:
        raise ApiError(422, "invalid_vote", str(exc)) from None
    except NoSuchRow as exc:
        raise ApiError(404, "not_found", str(exc)) from None


async def session_of(request: Request, access: Access) -> SessionRecord:
    session_id = request.path_params["session_id"]
    session = await store_of(request).sessions.sessions.get(access.workshop.id, session_id)
    if session is None:
        raise ApiError(404, "not_found", f"no session {session_id} in this workshop")
    return session


async def person_of(
    request: Request, access: Access, session: SessionRecord
) -> PersonRecord | None:
    """The person the `Verstas-Person` header names: one who joined this session with the
    share link the request presents (a revoked link ends its people too)."""
    token = request.headers.get(PERSON_HEADER)
    if not token:
        return None
    person = await store_of(request).sessions.sessions.person(session.id, token)
    if person is None or person.link_id != access.link_id:
        raise ApiError(403, "unknown_person", "nobody joined this session with that person key")
    return person


async def required_person(request: Request, access: Access, session: SessionRecord) -> PersonRecord:
    person = await person_of(request, access, session)
    if person is None:
        raise ApiError(
            400,
            "person_required",
            f"send the {PERSON_HEADER} header: join the session first (POST .../participants)",
        )
    return person


def api_vote_json(
    vote: VoteRecord, voters: int, mine: dict[str, int] | None = None
) -> dict[str, Any]:
    """A vote over HTTP (vote.response): tallies only once closed, for everyone."""
    data = {
        **vote.rules.to_json(),
        "id": vote.id,
        "open": vote.open,
        "opened_at": vote.opened_at.isoformat(),
        "closed_at": vote.closed_at.isoformat() if vote.closed_at else None,
        "voters": voters,
        "results": vote_json(vote).get("results"),
    }
    if mine is not None:
        data["mine"] = mine
        data["dots_left"] = vote.rules.dots_left(mine)
    return data
