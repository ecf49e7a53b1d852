"""The application: HTTP routes on Starlette, the collaboration hub in its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from collab.bus import Bus, BusKind, LocalBus
from collab.bus_redis import RedisBus
from collab.frames import binary_frame
from collab.hub import CollabHub, HubConfig
from collab.locks import LockTable
from collab.node_directory import RedisNodeDirectory
from documents.family_graph import FamilyGraphs
from documents.family_service import KeptCells
from documents.lineage_service import version_when_quiet
from documents.store.base import Store
from documents.store.factory import create_store
from documents.store.workshops import Workshops
from documents.version_notice import note_version
from web.admin_view import NodeIdentity, publish_reports
from web.api import endpoints
from web.api.errors import ApiError, error_response
from web.api.note_feed import NoteFeed
from web.api.openapi import openapi_document
from web.api.versions import tell_pages
from web.auth import SECRET_NAME, AccessResolver, Tokens
from web.i18n import RememberLanguage
from web.metrics import HubCollector, metrics_registry
from web.middleware import NoSniff, RefuseTextInAddress
from web.operator_auth import OperatorTokens
from web.pages import admin, family, workshops
from web.session_locks import write_policies
from web.settings import Settings


def _forget_rows(workshops: Workshops, kind: BusKind, key: str) -> None:
    """Another node changed a link or a workshop: admission reads it afresh here too."""
    if kind is BusKind.REVOKE_LINK:
        workshops.forget(link_id=key)
    else:
        workshops.forget(workshop_id=key)


async def _version_when_quiet(
    store: Store, hub: Callable[[], CollabHub], document: str, position: int, state_vector: bytes
) -> None:
    """The quiet hook: an automatic version when the content changed since the last one, and
    the pages told (not while shutting down: nobody is left to tell)."""
    version = await version_when_quiet(store, document, position, state_vector)
    if version is not None and not hub().shutting_down:
        await tell_pages(hub(), version.workshop_id, partial(note_version, version_id=version.id))


REPORT_INTERVAL = 5.0  # seconds between renewals of this node's entry in the node directory


def create_app(settings: Settings, *, on_started: Callable[[], None] | None = None) -> Starlette:
    """Build the app; the store opens and the hub starts when the server's lifespan begins,
    and `on_started` runs once they have (before uvicorn opens its port)."""
    registry, commit_latency = metrics_registry()
    # Also on app.state: the server drains it when shutdown begins (see web/server.py).
    note_feed = NoteFeed()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        store = create_store(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
        await store.open()
        secret = settings.secret_key or await store.workshops.secret(SECRET_NAME)
        bus: Bus = RedisBus(settings.redis_url) if settings.redis_url else LocalBus()
        access = AccessResolver(
            store.workshops, Tokens(secret), open_documents=settings.open_documents
        )
        await store.workshops.prepare()
        locks = LockTable()
        hub: CollabHub  # the quiet hook reaches it once it exists
        hub = CollabHub(
            store,
            binary_frame,
            HubConfig(
                limits=settings.limits,
                allowed_origins=settings.allowed_origins,
                quiet_after=settings.auto_version_after,
                commit_window=settings.commit_window,
            ),
            admission=access,
            observe_commit_latency=commit_latency.observe,
            on_quiet=partial(_version_when_quiet, store, lambda: hub),
            bus=bus,
            forget=partial(_forget_rows, store.workshops),
            write_policy=write_policies(store, locks),
            locks=locks,
        )
        registry.register(HubCollector(hub))
        node = NodeIdentity(settings.resolved_node_id(), time.time())
        directory = RedisNodeDirectory(settings.redis_url) if settings.redis_url else None
        await hub.start()
        reporting = (
            asyncio.create_task(
                publish_reports(directory, hub, node, REPORT_INTERVAL), name="node reports"
            )
            if directory is not None
            else None
        )
        if on_started is not None:
            on_started()
        try:
            yield {
                "collab": hub,
                "store": store,
                "access": access,
                "operators": OperatorTokens(secret),
                "family_graphs": FamilyGraphs(),
                "family_cells": KeptCells(),
                "node": node,
                "directory": directory,
                "note_feed": note_feed,
            }
        finally:
            if reporting is not None:
                reporting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reporting
            await hub.stop()
            if directory is not None:
                await directory.close()
            await store.close()

    async def healthz(request: Request) -> Response:
        """The process is up and serving HTTP."""
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        """Worth sending traffic to: the database answers and no shutdown has begun."""
        hub: CollabHub = request.state.collab
        store: Store = request.state.store
        if hub.shutting_down:
            return JSONResponse({"status": "shutting down"}, status_code=503)
        try:
            await store.ping()
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "database": repr(exc)}, status_code=503)
        if not hub.bus.healthy:
            # Still worth traffic: this process serves its own peers; other processes' peers
            # will not see their edits until the bus is back and every document catches up.
            return JSONResponse({"status": "degraded", "bus": "unreachable"})
        return JSONResponse({"status": "ok"})

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document())

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc)

    async def http_error(request: Request, exc: Exception) -> Response:
        """Unknown routes and methods under /api/ answer in the API's error shape too."""
        assert isinstance(exc, HTTPException)
        if not request.url.path.startswith("/api/"):
            return Response(exc.detail, status_code=exc.status_code)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(ApiError(exc.status_code, code, str(exc.detail)))

    app = Starlette(
        routes=[
            *workshops.ROUTES,
            *family.ROUTES,
            *admin.ROUTES,
            *endpoints.ROUTES,
            Route("/api/openapi.json", openapi),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
        ],
        exception_handlers={ApiError: api_error, HTTPException: http_error},
        middleware=[
            Middleware(NoSniff),
            Middleware(RefuseTextInAddress),
            Middleware(RememberLanguage),
        ],
        lifespan=lifespan,
    )
    app.state.note_feed = note_feed
    return app
