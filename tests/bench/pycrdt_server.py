"""pycrdt-websocket's ASGI server under uvicorn, as the benchmark's Python baseline.

Why this and not a hand-written relay: the comparison is against what a Python team would pick
off the shelf, `pycrdt.websocket.ASGIServer(WebsocketServer(...))`, served the way its docs
show. uvicorn gets the same loop and HTTP parser as Verstas (uvloop, httptools) and its
default websocket implementation (`websockets-sansio`), so the difference measured is the
relay, not the plumbing. The room is the whole URL path, so `ws://HOST:PORT/collab/NAME`
works unchanged, as with the Node reference server.

Run: `python -m tests.bench.pycrdt_server --port N` (stops on SIGTERM or SIGINT).
"""

from __future__ import annotations

import argparse
import logging

import uvicorn
import uvloop
from pycrdt.websocket import ASGIServer, WebsocketServer
from pycrdt.websocket.websocket_server import exception_logger


async def serve(host: str, port: int) -> None:
    """Serve until uvicorn's signal handlers end the server.

    `exception_logger` keeps one failing connection from taking the process down (0.16.5 can
    otherwise exit on a send to a peer that just left, see shared/INTEROP.md); the benchmark
    counts such failures on the client side instead.
    """
    websocket_server = WebsocketServer(exception_handler=exception_logger)
    config = uvicorn.Config(
        ASGIServer(websocket_server),
        host=host,
        port=port,
        loop="none",
        http="httptools",
        ws="websockets-sansio",
        lifespan="on",
        log_level="warning",
        access_log=False,
    )
    async with websocket_server:
        await uvicorn.Server(config).serve()


def main() -> None:
    """Parse the port and run the server on uvloop, like Verstas."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    uvloop.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
