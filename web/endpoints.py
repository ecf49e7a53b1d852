"""Every endpoint of the JSON API in one list: routes, OpenAPI and tests all read it."""

from __future__ import annotations

from starlette.routing import Route

from web import (
    admin,
    api,
    api_family,
    api_lineage,
    api_session_notes,
    api_session_votes,
    api_sessions,
)
from web.api import Endpoint

ENDPOINTS: list[Endpoint] = [
    *api.ENDPOINTS,
    *api_lineage.ENDPOINTS,
    *api_family.ENDPOINTS,
    *api_sessions.ENDPOINTS,
    *api_session_notes.ENDPOINTS,
    *api_session_votes.ENDPOINTS,
    *admin.ENDPOINTS,
]
ROUTES = [Route(e.path, e.handler, methods=[e.method]) for e in ENDPOINTS]
