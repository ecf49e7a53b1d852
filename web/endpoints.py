"""Every endpoint of the JSON API in one list: routes, OpenAPI and tests all read it."""

from __future__ import annotations

from starlette.routing import Route

from web import admin, api, api_family, api_lineage
from web.api import Endpoint

ENDPOINTS: list[Endpoint] = [
    *api.ENDPOINTS,
    *api_lineage.ENDPOINTS,
    *api_family.ENDPOINTS,
    *admin.ENDPOINTS,
]
ROUTES = [Route(e.path, e.handler, methods=[e.method]) for e in ENDPOINTS]
