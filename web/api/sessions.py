"""Live Innopaja sessions in the JSON API: starting, steering (phase, focus, timer, locks),
ending, expiring share links and the record (same conventions as `web.api`).

Thin: validate, authorise, then documents.live decides. Notes are in session_notes.py,
votes in session_votes.py. Every answer about a session carries `server_time`
(milliseconds since the epoch), from which a client learns its clock's offset from the
server's: the timer's end is on the server's clock.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from documents.live.record import iso, record_markdown
from documents.live.state import Phase, SessionState, TimerAction
from documents.live.view import millis, timer_json
from documents.store.sessions import SessionRecord
from documents.version_notice import note_version
from web import i18n
from web.api.body import read_body
from web.api.caller import authorise
from web.api.contract import ERRORS, Endpoint
from web.api.errors import ApiError
from web.api.links import link_json
from web.api.services import Services, store_of
from web.api.session_common import (
    BODY_CONFLICTS,
    CONFLICTS,
    SESSION,
    SESSIONS,
    api_vote_json,
    content_document,
    live_sessions,
    refusals,
    session_of,
)
from web.api.versions import tell_pages


async def session_json(request: Request, session: SessionRecord) -> dict[str, Any]:
    rows = store_of(request).sessions
    state = session.state
    open_votes = [vote for vote in await rows.votes.listing(session.id) if vote.open]
    vote = None
    if open_votes:
        vote = api_vote_json(open_votes[0], await rows.votes.voters(open_votes[0].id))
    return {
        "id": session.id,
        "workshop": session.workshop_id,
        "title": session.title,
        "live": session.live,
        "revision": session.revision,
        "phases": [phase.to_json() for phase in state.phases],
        "phase": state.phase,
        "periods": [
            {
                "phase": period.phase,
                "started_at": iso(period.started_at),
                "ended_at": None if period.ended_at is None else iso(period.ended_at),
            }
            for period in state.periods
        ],
        "focus": state.focus,
        "timer": timer_json(state.timer),
        "locks": list(state.locks),
        "vote": vote,
        "participants": await rows.sessions.people(session.id),
        "created_at": session.created_at.isoformat(),
        "ended_at": session.ended_at.isoformat() if session.ended_at else None,
        "version": session.version_id,
        "server_time": millis(time.time()),
    }


async def create_session(request: Request) -> Response:
    access = await authorise(request, "facilitator")
    body = await read_body(request, "session-create.request")
    with refusals():
        phases = [Phase.from_json(phase) for phase in body.get("phases", [])]
        session = await live_sessions(request).start(access.workshop, body["title"], phases)
    return JSONResponse(await session_json(request, session), status_code=201)


async def list_sessions(request: Request) -> Response:
    access = await authorise(request)
    sessions = await store_of(request).sessions.sessions.listing(access.workshop.id)
    items = [await session_json(request, session) for session in sessions]
    return JSONResponse({"items": items, "server_time": millis(time.time())})


async def get_session(request: Request) -> Response:
    access = await authorise(request)
    return JSONResponse(await session_json(request, await session_of(request, access)))


async def _steer(request: Request, schema: str, change: Any) -> SessionRecord:
    """A facilitator's change of the steering state; `change(state, body, now)` makes it."""
    access = await authorise(request, "facilitator")
    body = await read_body(request, schema)
    session = await session_of(request, access)
    now = time.time()
    with refusals():
        return await live_sessions(request).change(session, lambda state: change(state, body, now))


def _phase(state: SessionState, body: dict[str, Any], now: float) -> SessionState:
    return state.go_to(body["index"], now)


def _focus(state: SessionState, body: dict[str, Any], now: float) -> SessionState:
    return state.focused(body["target"])


def _timer(state: SessionState, body: dict[str, Any], now: float) -> SessionState:
    action: TimerAction = body["action"]
    return state.timed(action, body.get("seconds"), now)


def _locks(state: SessionState, body: dict[str, Any], now: float) -> SessionState:
    return state.locked(body["targets"], body["locked"])


async def set_phase(request: Request) -> Response:
    session = await _steer(request, "session-phase.request", _phase)
    return JSONResponse(await session_json(request, session))


async def set_focus(request: Request) -> Response:
    session = await _steer(request, "session-focus.request", _focus)
    return JSONResponse(await session_json(request, session))


async def set_timer(request: Request) -> Response:
    session = await _steer(request, "session-timer.request", _timer)
    return JSONResponse(await session_json(request, session))


async def set_locks(request: Request) -> Response:
    """Stored with the session first (rooms that load later read them there), then set on the
    content document's write policy on every node (web/session_locks.py)."""
    session = await _steer(request, "session-locks.request", _locks)
    hub = Services.of(request).hub
    hub.set_locks(content_document(session.workshop_id), frozenset(session.state.locks))
    return JSONResponse(await session_json(request, session))


async def end_session(request: Request) -> Response:
    """End the session: the share links that expire with it are revoked (their sockets closed
    with 4403), its open vote closes, revealed notes are all in the content, a version of the
    content is named and its locks are released. Ending again finishes what an interruption
    left undone."""
    access = await authorise(request, "facilitator")
    session = await session_of(request, access)
    services = Services.of(request)
    for link_id in await store_of(request).sessions.sessions.links(session.id):
        if await services.workshops.revoke_link(access.workshop.id, link_id):
            services.hub.revoke_link(link_id)
    with refusals():
        ended = await live_sessions(request).end(access.workshop, session)
    services.hub.set_locks(content_document(access.workshop.id), frozenset())
    if ended.version_id is not None:
        note = partial(note_version, version_id=ended.version_id)
        await tell_pages(services.hub, access.workshop.id, note)
    return JSONResponse(await session_json(request, ended))


async def create_session_link(request: Request) -> Response:
    """A share link (participant by default) that is revoked when the session ends."""
    access = await authorise(request, "facilitator")
    body = await read_body(request, "session-link.request")
    session = await session_of(request, access)
    if not session.live:
        raise ApiError(409, "session_ended", "the session has ended")
    workshops = Services.of(request).workshops
    link = await workshops.create_link(access.workshop.id, body.get("role", "participant"))
    await store_of(request).sessions.sessions.add_link(session.id, link.id)
    return JSONResponse(link_json(request, link), status_code=201)


async def export_session_json(request: Request) -> Response:
    access = await authorise(request)
    session = await session_of(request, access)
    record = await live_sessions(request).record(access.workshop, session)
    disposition = f'attachment; filename="innopaja-{session.id}.json"'
    return JSONResponse(record, headers={"Content-Disposition": disposition})


async def export_session_md(request: Request) -> Response:
    """In `?lang=`'s language, or without it in the caller's (Finnish unless they chose)."""
    access = await authorise(request)
    if i18n.parse_lang(request.query_params.get("lang", "fi")) is None:
        raise ApiError(400, "invalid_request", "lang is fi, sv or en")
    session = await session_of(request, access)
    record = await live_sessions(request).record(access.workshop, session)
    speaker = i18n.for_request(request)
    return Response(
        record_markdown(record, speaker),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Language": speaker.lang},
    )


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "POST",
        SESSIONS,
        create_session,
        "Start a live Innopaja session (one at a time per workshop) with its agenda",
        "session-create.request",
        {201: "session.response", **BODY_CONFLICTS},
        "facilitator",
    ),
    Endpoint(
        "GET",
        SESSIONS,
        list_sessions,
        "The workshop's live and past sessions, newest first, and the server's clock",
        None,
        {200: "session-list.response", **ERRORS},
    ),
    Endpoint(
        "GET",
        SESSION,
        get_session,
        "One session as it stands, and the server's clock",
        None,
        {200: "session.response", **ERRORS},
    ),
    Endpoint(
        "POST",
        SESSION + "/phase",
        set_phase,
        "Go to a phase of the agenda (forward or back)",
        "session-phase.request",
        {200: "session.response", **BODY_CONFLICTS},
        "facilitator",
    ),
    Endpoint(
        "POST",
        SESSION + "/focus",
        set_focus,
        "Where follow-me takes everyone: a section or a cell, or null",
        "session-focus.request",
        {200: "session.response", **BODY_CONFLICTS},
        "facilitator",
    ),
    Endpoint(
        "POST",
        SESSION + "/timer",
        set_timer,
        "Start (seconds), pause, resume or add time (seconds) to the shared timer",
        "session-timer.request",
        {200: "session.response", **BODY_CONFLICTS},
        "facilitator",
    ),
    Endpoint(
        "POST",
        SESSION + "/locks",
        set_locks,
        "Lock or unlock cells, sections or the whole content",
        "session-locks.request",
        {200: "session.response", **BODY_CONFLICTS},
        "facilitator",
    ),
    Endpoint(
        "POST",
        SESSION + "/end",
        end_session,
        "End the session: a version of the content is named and its expiring links revoked",
        None,
        {200: "session.response", **CONFLICTS},
        "facilitator",
    ),
    Endpoint(
        "POST",
        SESSION + "/links",
        create_session_link,
        "Mint a share link (participant by default) that expires when the session ends",
        "session-link.request",
        {201: "link.response", **BODY_CONFLICTS},
        "facilitator",
    ),
    Endpoint(
        "GET",
        SESSION + "/export.json",
        export_session_json,
        "The session's record: phases and their times, revealed notes, vote results",
        None,
        {200: "session-export", **ERRORS},
    ),
    Endpoint(
        "GET",
        SESSION + "/export.md",
        export_session_md,
        "The session's record as a Markdown document (?lang=fi|sv|en)",
        None,
        {200: None, **ERRORS},
        media_type="text/markdown",
    ),
]
