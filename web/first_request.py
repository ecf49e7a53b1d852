"""uvicorn's protocol slot: a collaboration socket's upgrade goes straight to the endpoint.

uvicorn makes an `HttpToolsProtocol` for every connection, parses the request with httptools
(a Python callback per header), and for an upgrade rebuilds the request's bytes and hands them
to the websocket protocol (`collab.endpoint`), which reads them again itself. For a
collaboration socket all of that is spent for nothing: it was ~15% of a connection's CPU while
10,000 clients connect (py-spy). So the first bytes of a connection are looked at here: a whole
`GET /collab/...` request head asking for `Upgrade: websocket` goes to the endpoint as it came;
anything else (pages, the API, a request split over several reads, another websocket path)
goes to uvicorn's own protocol as before, which still hands other upgrades to the endpoint.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from collab.endpoint import CollabConnection

_COLLAB_UPGRADE = re.compile(
    rb"GET /collab/[^\r\n]*\r\n(?:[^\r\n]+\r\n)*?upgrade:[ \t]*websocket[ \t]*\r\n",
    re.IGNORECASE,
)


def is_collab_upgrade(data: bytes) -> bool:
    """Whether the bytes are exactly one request head opening a collaboration socket."""
    end = data.find(b"\r\n\r\n")
    return end == len(data) - 4 and _COLLAB_UPGRADE.match(data) is not None


class FirstRequest(asyncio.Protocol):
    """A connection until its first bytes say which protocol serves it. Constructed by uvicorn
    as its HTTP protocol, with the same arguments."""

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self._arguments = {
            "config": config,
            "server_state": server_state,
            "app_state": app_state,
            "_loop": _loop,
        }
        self._connections: set[Any] = server_state.connections
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self._transport = cast(asyncio.Transport, transport)
        self._connections.add(self)

    def data_received(self, data: bytes) -> None:
        transport = self._transport
        if transport is None:
            return
        self._connections.discard(self)
        self._transport = None
        protocol: asyncio.Protocol
        if is_collab_upgrade(data):
            protocol = CollabConnection(**self._arguments)
        else:
            protocol = HttpToolsProtocol(**self._arguments)
        protocol.connection_made(transport)
        transport.set_protocol(protocol)
        protocol.data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.discard(self)
        self._transport = None

    def shutdown(self) -> None:
        """uvicorn's shutdown: a connection that has asked for nothing yet is closed."""
        if self._transport is not None:
            self._transport.close()
