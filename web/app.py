"""The application: HTTP routes on Starlette, the collaboration hub in its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from collab.endpoint import binary_frame
from collab.hub import CollabHub, HubConfig
from documents.store import Store, create_store
from web.metrics import HubCollector, metrics_registry
from web.settings import Settings

INDEX = """<!doctype html>
<html lang="fi"><head><meta charset="utf-8"><title>Verstas</title></head>
<body><main><h1>Verstas</h1>
<p>Yhteiskehittämisen työtila. Collaborative documents are served at
<code>/collab/&lt;name&gt;</code> over the Yjs websocket protocol.</p></main></body></html>
"""


def create_app(settings: Settings) -> Starlette:
    """Build the app; the store opens and the hub starts when the server's lifespan begins."""
    registry, commit_latency = metrics_registry()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        store = create_store(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
        await store.open()
        hub = CollabHub(
            store,
            binary_frame,
            HubConfig(limits=settings.limits, allowed_origins=settings.allowed_origins),
            observe_commit_latency=commit_latency.observe,
        )
        registry.register(HubCollector(hub))
        await hub.start()
        try:
            yield {"collab": hub, "store": store}
        finally:
            await hub.stop()
            await store.close()

    async def index(request: Request) -> Response:
        return HTMLResponse(INDEX)

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
        return JSONResponse({"status": "ok"})

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
        ],
        lifespan=lifespan,
    )
