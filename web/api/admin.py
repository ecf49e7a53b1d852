"""The operators' admin view as JSON: `GET /api/admin/nodes` (see `web.admin_view`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from collab.admission import Denied
from web.admin_view import reports, viewer_of
from web.api.caller import bearer_token
from web.api.contract import Endpoint
from web.api.errors import denied

# Operational data and the token that opens it are nobody's to cache.
NO_STORE = {"Cache-Control": "no-store"}


async def admin_nodes(request: Request) -> Response:
    try:
        viewer = await viewer_of(request, bearer_token(request))
    except Denied as exc:
        raise denied(exc) from None
    return JSONResponse({"nodes": await reports(request, viewer)}, headers=NO_STORE)


ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/admin/nodes",
        admin_nodes,
        "Per node: loaded documents, peers, update rates, checkpoints and refused messages",
        None,
        {200: "admin-nodes.response", 401: "error", 403: "error", 422: "error"},
        operator=True,
    ),
]
