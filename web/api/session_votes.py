"""Dot votes of a live session in the JSON API.

Casts go through the server, which enforces the per-person budget and the per-item cap inside
one locked transaction (documents/store/votes_sql.py); over a limit the answer is 409 with a
code and a message that say which. Nobody, facilitators included, reads the tallies before the
vote closes: until then a vote shows its rules, how many people have voted and, to a person,
their own dots.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from documents.live.votes import VoteRules
from documents.store.sessions import SessionRecord, VoteRecord
from web.api.body import read_body
from web.api.caller import authorise
from web.api.contract import ERRORS, Endpoint
from web.api.errors import ApiError
from web.api.services import store_of
from web.api.session_common import (
    BODY_CONFLICTS,
    CONFLICTS,
    SESSION,
    api_vote_json,
    live_sessions,
    person_of,
    refusals,
    required_person,
    session_of,
)
from web.auth import Access


async def _vote(request: Request, session: SessionRecord) -> VoteRecord:
    vote_id = request.path_params["vote_id"]
    vote = await store_of(request).sessions.votes.get(session.id, vote_id)
    if vote is None:
        raise ApiError(404, "not_found", f"no vote {vote_id} in this session")
    return vote


async def open_vote(request: Request) -> Response:
    access = await authorise(request, "facilitator")
    body = await read_body(request, "vote-create.request")
    session = await session_of(request, access)
    with refusals():
        rules = VoteRules.checked(body["items"], body["per_person"], body["max_per_item"])
        vote = await live_sessions(request).open_vote(session, rules)
    return JSONResponse(api_vote_json(vote, 0), status_code=201)


async def get_vote(request: Request) -> Response:
    access = await authorise(request)
    session = await session_of(request, access)
    vote = await _vote(request, session)
    votes = store_of(request).sessions.votes
    person = await person_of(request, access, session)
    mine = None if person is None else await votes.dots(vote.id, person.id)
    return JSONResponse(api_vote_json(vote, await votes.voters(vote.id), mine))


async def _dot(request: Request, take_back: bool) -> Response:
    """A cast or a take-back: every check and the change in one transaction of the store's."""
    access: Access = await authorise(request, "participant")
    body = await read_body(request, "vote-cast.request")
    session = await session_of(request, access)
    person = await required_person(request, access, session)
    votes = store_of(request).sessions.votes
    dot = votes.uncast if take_back else votes.cast
    with refusals():
        ballot = await dot(session.id, request.path_params["vote_id"], person.id, body["item"])
    return JSONResponse(api_vote_json(ballot.vote, ballot.voters, ballot.mine))


async def cast(request: Request) -> Response:
    return await _dot(request, take_back=False)


async def uncast(request: Request) -> Response:
    return await _dot(request, take_back=True)


async def close_vote(request: Request) -> Response:
    access = await authorise(request, "facilitator")
    session = await session_of(request, access)
    vote = await _vote(request, session)
    with refusals():
        closed = await live_sessions(request).close_vote(session, vote.id)
    voters = await store_of(request).sessions.votes.voters(vote.id)
    return JSONResponse(api_vote_json(closed, voters))


VOTE = SESSION + "/votes/{vote_id}"

ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "POST",
        SESSION + "/votes",
        open_vote,
        "Open a dot vote over ideas and components: dots per person, most on one item",
        "vote-create.request",
        {201: "vote.response", **BODY_CONFLICTS},
        "facilitator",
    ),
    Endpoint(
        "GET",
        VOTE,
        get_vote,
        "A vote: its rules, how many voted, one's own dots (Verstas-Person); results once closed",
        None,
        {200: "vote.response", **ERRORS},
    ),
    Endpoint(
        "POST",
        VOTE + "/cast",
        cast,
        "Put one of one's dots on an item; 409 over the per-person or the per-item limit",
        "vote-cast.request",
        {200: "vote.response", **BODY_CONFLICTS},
        "participant",
    ),
    Endpoint(
        "POST",
        VOTE + "/uncast",
        uncast,
        "Take one of one's dots back from an item while the vote is open",
        "vote-cast.request",
        {200: "vote.response", **BODY_CONFLICTS},
        "participant",
    ),
    Endpoint(
        "POST",
        VOTE + "/close",
        close_vote,
        "Close the vote: its ordered results become everyone's",
        None,
        {200: "vote.response", **CONFLICTS},
        "facilitator",
    ),
]
