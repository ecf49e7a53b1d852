"""Running the app under uvicorn, with the collaboration endpoint in its websocket slot (and
before uvicorn's HTTP protocol for its own upgrades: web.first_request)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import structlog
import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from collab.endpoint import CollabConnection
from documents.store.factory import check_url
from documents.store.migrate import require_schema
from documents.store.schema import SchemaError, display_url, head_revision
from web.app import create_app
from web.collector import settle_after_startup
from web.first_request import FirstRequest
from web.logs import configure_logging
from web.settings import Settings

log = structlog.get_logger(__name__)


class _Server(uvicorn.Server):
    """uvicorn waits for every request in flight before it shuts down; the facilitators' note
    feed holds requests open for up to half a minute, so it is told to answer them at once."""

    def __init__(self, config: uvicorn.Config, on_shutdown: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_shutdown = on_shutdown

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._on_shutdown()
        await super().shutdown(sockets)


def run(settings: Settings) -> None:
    """Serve until SIGINT/SIGTERM; on the way out peers get 1012 and everything is committed.

    The database is checked before uvicorn starts, so that a wrong URL or schema ends the
    process with status 1 and one log line saying what to do, not a lifespan traceback. A new,
    empty database gets the schema (and a log line saying so).
    """
    configure_logging(settings.log_level)
    database = display_url(settings.database_url)
    try:
        check_url(settings.database_url)
        created = asyncio.run(require_schema(settings.database_url))
    except (ValueError, SchemaError, SQLAlchemyError, OSError) as exc:
        log.error("startup_refused", database=database, error=str(exc))
        raise SystemExit(1) from None
    if created:
        log.info("schema_created", database=database, revision=head_revision())
    # The collector is settled (web.collector) once the lifespan has started the store and the
    # hub, before uvicorn opens the port: its full collection holds the loop for ~50 ms, which
    # the first clients of a restarted server waited for when it ran after.
    app = create_app(settings, on_started=settle_after_startup)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=FirstRequest,
        ws=CollabConnection,
        loop="uvloop",
        lifespan="on",
        log_config=None,
        log_level=settings.log_level,
        ws_max_size=settings.limits.max_message_bytes,
    )
    _Server(config, app.state.note_feed.drain).run()
