"""Every endpoint of the JSON API in one list: routes, OpenAPI and tests all read it."""

from __future__ import annotations

from starlette.routing import Route

from web.api import (
    admin,
    exports,
    family,
    lineage,
    links,
    session_notes,
    session_votes,
    sessions,
    versions,
    workshops,
)
from web.api.contract import Endpoint

ENDPOINTS: list[Endpoint] = [
    *workshops.ENDPOINTS,
    *links.ENDPOINTS,
    *exports.ENDPOINTS,
    *versions.ENDPOINTS,
    *lineage.ENDPOINTS,
    *family.ENDPOINTS,
    *sessions.ENDPOINTS,
    *session_notes.ENDPOINTS,
    *session_votes.ENDPOINTS,
    *admin.ENDPOINTS,
]
ROUTES = [Route(e.path, e.handler, methods=[e.method]) for e in ENDPOINTS]
