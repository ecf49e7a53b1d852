"""Running the app under uvicorn, with the collaboration endpoint in its websocket slot."""

from __future__ import annotations

import uvicorn

from collab.endpoint import CollabConnection
from web.app import create_app
from web.logs import configure_logging
from web.settings import Settings


def run(settings: Settings) -> None:
    """Serve until SIGINT/SIGTERM; on the way out peers get 1012 and everything is committed."""
    configure_logging(settings.log_level)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        http="httptools",
        ws=CollabConnection,
        loop="uvloop",
        lifespan="on",
        log_config=None,
        log_level=settings.log_level,
        ws_max_size=settings.limits.max_message_bytes,
    )
    uvicorn.Server(config).run()
