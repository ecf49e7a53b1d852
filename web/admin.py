"""The operators' admin view: per node, the loaded documents with their peers, update rates,
checkpoints and refusals, as JSON (`GET /api/admin/nodes`) and as a page (`/admin`).

Every node produces its own report (`collab.node_report`); with several nodes (`--redis-url`)
each also leaves it in the node directory every few seconds, and the view lists this node's
fresh report and the other live nodes' latest ones. Operators see everything; a workshop owner
sees the entries of their own workshop's documents and nothing that adds up other workshops'
traffic.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import structlog
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from collab.admission import Denied
from collab.hub import CollabHub
from collab.node_directory import NodeDirectory
from collab.node_report import NodeReport, node_report, visible_to_workshop
from documents.labels import N_
from web import i18n
from web.api import Endpoint, bearer_token, denied
from web.operator_auth import AdminViewer, OperatorTokens, admin_viewer
from web.pages import PAGE_HEADERS, templates

log = structlog.get_logger(__name__)

ADMIN_COOKIE = "verstas_admin_token"
REFRESH_CHOICES = (0, 10, 30, 60)
# Operational data and the token that opens it are nobody's to cache.
NO_STORE = {"Cache-Control": "no-store"}
# What the page tells a refused visitor, by status (the JSON answer keeps the exact reason).
REFUSALS = {
    401: N_("The admin view needs an operator token or a workshop owner's token."),
    403: N_(
        "This token does not open the admin view: only operators and workshop owners may look."
    ),
}
KIND_NAMES = {"content": N_("content"), "comments": N_("comments"), "session": N_("session")}


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """How this process names itself in reports; `started_at` is wall-clock seconds."""

    node_id: str
    started_at: float


def _client(request: Request) -> str:
    return f"{request.client.host}:{request.client.port}" if request.client else "unknown"


async def _viewer(request: Request, token: str | None) -> AdminViewer:
    operators: OperatorTokens = request.state.operators
    try:
        return await admin_viewer(token, operators, request.state.access, time.time())
    except Denied as exc:
        log.info(
            "admin_view_refused", client=_client(request), status=exc.status, reason=exc.reason
        )
        raise


async def publish_reports(
    directory: NodeDirectory, hub: CollabHub, node: NodeIdentity, interval: float
) -> None:
    """Renew this node's entry in the directory until cancelled; Redis being down only
    means other nodes cannot list this one for a while."""
    while True:
        try:
            report = node_report(hub, node.node_id, node.started_at)
            await directory.publish(node.node_id, report)
        except (RedisError, OSError) as exc:
            log.warning("node_report_not_published", node=node.node_id, error=repr(exc))
        await asyncio.sleep(interval)


async def _reports(request: Request, viewer: AdminViewer) -> list[NodeReport]:
    node: NodeIdentity = request.state.node
    reports = [node_report(request.state.collab, node.node_id, node.started_at)]
    directory: NodeDirectory | None = request.state.directory
    if directory is not None:
        try:
            shared = await directory.reports()
        except (RedisError, OSError) as exc:
            log.warning("node_reports_unavailable", node=node.node_id, error=repr(exc))
            shared = []
        reports += [r for r in shared if r["node_id"] != node.node_id]
    if viewer.workshop_id is not None:
        reports = [visible_to_workshop(r, viewer.workshop_id) for r in reports]
    return reports


async def admin_nodes(request: Request) -> Response:
    try:
        viewer = await _viewer(request, bearer_token(request))
    except Denied as exc:
        raise denied(exc) from None
    return JSONResponse({"nodes": await _reports(request, viewer)}, headers=NO_STORE)


def _refresh(value: str | None) -> int:
    return next((choice for choice in REFRESH_CHOICES if str(choice) == value), 0)


async def admin_page(request: Request) -> Response:
    """`?token=` is taken once: it moves into an HttpOnly cookie scoped to this page and the
    browser is sent back without it, so the token stays out of history and of reloads."""
    given = request.query_params.get("token")
    token = given or request.cookies.get(ADMIN_COOKIE) or bearer_token(request)
    refresh = _refresh(request.query_params.get("refresh"))
    try:
        viewer = await _viewer(request, token)
    except Denied as exc:
        refusal = i18n.for_request(request).gettext(REFUSALS.get(exc.status, REFUSALS[403]))
        return templates.TemplateResponse(
            request,
            "admin.html",
            {"denied": exc, "refusal": refusal},
            status_code=exc.status,
            headers=PAGE_HEADERS,
        )
    if given:
        response = RedirectResponse(
            "/admin" + (f"?refresh={refresh}" if refresh else ""), status_code=303
        )
        response.set_cookie(
            ADMIN_COOKIE,
            given,
            path="/admin",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response
    context = {
        "viewer": viewer,
        "nodes": await _reports(request, viewer),
        "refresh": refresh,
        "choices": REFRESH_CHOICES,
        "kind_names": KIND_NAMES,
    }
    # The pages' policy (web.pages): the view runs no script, and sends nothing anywhere.
    return templates.TemplateResponse(request, "admin.html", context, headers=PAGE_HEADERS)


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
ROUTES = [Route("/admin", admin_page, name="admin_page")]
