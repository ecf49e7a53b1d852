"""Joining a live session, hidden notes and their reveal, in the JSON API.

Participants need no account: they join under a name (POST .../participants) and get a person
key, which they send as the `Verstas-Person` header beside their share-link token. Notes and
dots are that person's. A hidden note is seen by its author and by facilitators only, here over
HTTP; it enters a document (the content's ideas) only when a facilitator reveals it.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from documents.access import at_least
from documents.live.view import revealed_json
from documents.store.sessions import NoteRecord
from web.api.body import read_body
from web.api.caller import authorise
from web.api.contract import ERRORS, Endpoint
from web.api.errors import ApiError
from web.api.note_feed import NoteFeed
from web.api.services import store_of
from web.api.session_common import (
    BODY_CONFLICTS,
    CONFLICTS,
    SESSION,
    live_sessions,
    person_of,
    refusals,
    required_person,
    session_of,
)

MAX_WAIT_SECONDS: Final = 25.0  # under the usual proxies' 30 to 60 s read timeouts


def note_json(note: NoteRecord) -> dict[str, Any]:
    return {
        "id": note.id,
        "text": note.text,
        "author": note.author,
        "phase": note.phase,
        "created_at": note.created_at.isoformat(),
        "updated_at": note.updated_at.isoformat(),
        "revealed_at": note.revealed_at.isoformat() if note.revealed_at else None,
    }


def feed_of(request: Request) -> NoteFeed:
    feed: NoteFeed = request.state.note_feed
    return feed


async def join_session(request: Request) -> Response:
    access = await authorise(request, "participant")
    body = await read_body(request, "session-join.request")
    session = await session_of(request, access)
    with refusals():
        person = await store_of(request).sessions.sessions.join(
            session.id, body["name"].strip(), access.link_id
        )
    return JSONResponse({"name": person.name, "person_token": person.id}, status_code=201)


async def add_note(request: Request) -> Response:
    access = await authorise(request, "participant")
    body = await read_body(request, "note.request")
    session = await session_of(request, access)
    person = await required_person(request, access, session)
    with refusals():
        note = await store_of(request).sessions.notes.add(session.id, person.id, body["text"])
    feed_of(request).changed(session.id)
    return JSONResponse(note_json(note), status_code=201)


def _wait_seconds(request: Request) -> float:
    raw = request.query_params.get("wait", str(MAX_WAIT_SECONDS))
    try:
        wait = float(raw)
    except ValueError:
        raise ApiError(400, "invalid_request", "wait is a number of seconds") from None
    return min(max(wait, 0.0), MAX_WAIT_SECONDS)


def _after(request: Request) -> int | None:
    raw = request.query_params.get("after")
    if raw is None:
        return None
    if not raw.isdigit():
        raise ApiError(400, "invalid_request", "after is a notes version (an integer)")
    return int(raw)


async def list_notes(request: Request) -> Response:
    """Facilitators see every note, anyone else their own (with their person key). A
    facilitator's `?after=VERSION` waits (up to `?wait=` seconds, at most 25) until the notes
    change from that version: the live feed of incoming notes (see web/api/note_feed.py)."""
    access = await authorise(request)
    session = await session_of(request, access)
    notes = store_of(request).sessions.notes
    facilitating = access.role is not None and at_least(access.role, "facilitator")
    after, wait = _after(request), _wait_seconds(request)
    if facilitating and after is not None:

        async def version() -> int:
            return await notes.version(session.id)

        await feed_of(request).wait(session.id, after, version, wait)
        items, current = await notes.listing(session.id)
    elif facilitating:
        items, current = await notes.listing(session.id)
    else:
        person = await person_of(request, access, session)
        if person is None:
            items, current = [], await notes.version(session.id)
        else:
            items, current = await notes.listing(session.id, person.id)
    return JSONResponse({"version": current, "items": [note_json(note) for note in items]})


async def edit_note(request: Request) -> Response:
    access = await authorise(request, "participant")
    body = await read_body(request, "note.request")
    session = await session_of(request, access)
    person = await required_person(request, access, session)
    with refusals():
        note = await store_of(request).sessions.notes.edit(
            session.id, request.path_params["note_id"], person.id, body["text"]
        )
    feed_of(request).changed(session.id)
    return JSONResponse(note_json(note))


async def withdraw_note(request: Request) -> Response:
    access = await authorise(request, "participant")
    session = await session_of(request, access)
    person = await required_person(request, access, session)
    with refusals():
        await store_of(request).sessions.notes.withdraw(
            session.id, request.path_params["note_id"], person.id
        )
    feed_of(request).changed(session.id)
    return Response(status_code=204)


async def reveal_notes(request: Request) -> Response:
    """Write every hidden note into the content's ideas, named or anonymous."""
    access = await authorise(request, "facilitator")
    body = await read_body(request, "reveal.request")
    session = await session_of(request, access)
    with refusals():
        written = await live_sessions(request).reveal(session, body.get("anonymous", False))
    feed_of(request).changed(session.id)
    return JSONResponse({"revealed": [revealed_json(note) for note in written]})


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "POST",
        SESSION + "/participants",
        join_session,
        "Join the live session under a name; the answer's person key identifies its notes and dots",
        "session-join.request",
        {201: "session-person.response", **BODY_CONFLICTS},
        "participant",
    ),
    Endpoint(
        "POST",
        SESSION + "/notes",
        add_note,
        "Write a hidden note (Verstas-Person header): only its author and facilitators see it",
        "note.request",
        {201: "note.response", **BODY_CONFLICTS},
        "participant",
    ),
    Endpoint(
        "GET",
        SESSION + "/notes",
        list_notes,
        "Facilitators: every note (?after=VERSION waits for the next change); others: their own",
        None,
        {200: "note-list.response", **ERRORS},
    ),
    Endpoint(
        "PATCH",
        SESSION + "/notes/{note_id}",
        edit_note,
        "Change one's own note before the reveal",
        "note.request",
        {200: "note.response", **BODY_CONFLICTS},
        "participant",
    ),
    Endpoint(
        "DELETE",
        SESSION + "/notes/{note_id}",
        withdraw_note,
        "Withdraw one's own note before the reveal",
        None,
        {204: None, **CONFLICTS},
        "participant",
    ),
    Endpoint(
        "POST",
        SESSION + "/reveal",
        reveal_notes,
        "Reveal every hidden note into the content's ideas, with names or anonymously",
        "reveal.request",
        {200: "reveal.response", **BODY_CONFLICTS},
        "facilitator",
    ),
]
