"""What the operators' admin view shows, as JSON (`web.api.admin`) and as a page
(`web.pages.admin`): who is looking, and per node the loaded documents with their peers,
update rates, checkpoints and refusals.

Every node produces its own report (`collab.node_report`); with several nodes (`--redis-url`)
each also leaves it in the node directory every few seconds (`publish_reports`, run by the
app's lifespan), and the view lists this node's fresh report and the other live nodes' latest
ones. Operators see everything; a workshop owner sees the entries of their own workshop's
documents and nothing that adds up other workshops' traffic.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import structlog
from redis.exceptions import RedisError
from starlette.requests import Request

from collab.admission import Denied
from collab.hub import CollabHub
from collab.node_directory import NodeDirectory
from collab.node_report import NodeReport, node_report, visible_to_workshop
from web.operator_auth import AdminViewer, OperatorTokens, admin_viewer

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """How this process names itself in reports; `started_at` is wall-clock seconds."""

    node_id: str
    started_at: float


def _client(request: Request) -> str:
    return f"{request.client.host}:{request.client.port}" if request.client else "unknown"


async def viewer_of(request: Request, token: str | None) -> AdminViewer:
    """Who `token` lets look; a refusal is logged with the client and raised as `Denied`."""
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


async def reports(request: Request, seen_by: AdminViewer) -> list[NodeReport]:
    """This node's report and the other live nodes', as much of each as `seen_by` may see."""
    node: NodeIdentity = request.state.node
    found = [node_report(request.state.collab, node.node_id, node.started_at)]
    directory: NodeDirectory | None = request.state.directory
    if directory is not None:
        try:
            shared = await directory.reports()
        except (RedisError, OSError) as exc:
            log.warning("node_reports_unavailable", node=node.node_id, error=repr(exc))
            shared = []
        found += [r for r in shared if r["node_id"] != node.node_id]
    if seen_by.workshop_id is not None:
        found = [visible_to_workshop(r, seen_by.workshop_id) for r in found]
    return found
