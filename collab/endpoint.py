"""The `/collab/{name}` websocket endpoint, on uvicorn's websocket-protocol slot.

Starlette keeps serving HTTP on the same port, but a collaboration socket does not go through
ASGI: uvicorn hands the upgraded connection to this `asyncio.Protocol`, which drives the
`websockets` library's sans-IO `ServerProtocol` for handshakes, control frames and closing,
and writes each broadcast frame, encoded once per room, straight to every peer's transport.
Measured in ../shared/PERFORMANCE_NOTES.md: ASGI and a per-peer await cost more server CPU
per delivered update than the whole relay.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from typing import Any, cast

import structlog
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol

from collab.errors import CloseCode
from collab.hub import CollabHub
from collab.room import Room
from collab.session import PeerSession

log = structlog.get_logger(__name__)

PATH_PREFIX = "/collab/"
DOCUMENT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")
MAX_EARLY_MESSAGES = 256  # frames a client may send before its document is loaded

_connection_numbers = itertools.count(1)
# websockets logs every open and close at INFO; our own log lines name the document instead.
_quiet_logger = logging.getLogger("verstas.websockets")
_quiet_logger.setLevel(logging.WARNING)


def binary_frame(message: bytes) -> bytes:
    """An unmasked server frame: identical for every peer, so a broadcast encodes it once."""
    return Frame(Opcode.BINARY, message).serialize(mask=False)


class CollabConnection(asyncio.Protocol):
    """One websocket peer. Constructed by uvicorn with the app's lifespan state."""

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.hub: CollabHub = app_state["collab"]
        self._connections: set[Any] = server_state.connections
        self._ws = ServerProtocol(max_size=self.hub.limits.max_message_bytes, logger=_quiet_logger)
        self._transport: asyncio.Transport | None = None
        self.label = f"#{next(_connection_numbers)}"
        self.document = ""
        self._room: Room | None = None
        self._session: PeerSession | None = None
        self._early: list[bytes] | None = []
        self._fragments: list[bytes] = []
        self._closing = False
        self._gone = False
        self._close_timer: asyncio.TimerHandle | None = None
        self._join_task: asyncio.Task[None] | None = None

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        transport = cast(asyncio.Transport, transport)
        self._transport = transport
        self._connections.add(self)
        peername = transport.get_extra_info("peername")
        if isinstance(peername, tuple) and len(peername) >= 2:
            self.label = f"{peername[0]}:{peername[1]}{self.label}"

    def connection_lost(self, exc: Exception | None) -> None:
        self._gone = True
        self._connections.discard(self)
        if self._close_timer is not None:
            self._close_timer.cancel()
        if self._room is not None:
            self.hub.rooms.leave(self._room, self)
            self._room = None
        log.info("peer_left", document=self.document, peer=self.label)

    def data_received(self, data: bytes) -> None:
        self._ws.receive_data(data)
        for event in self._ws.events_received():
            if isinstance(event, Request):
                self._handshake(event)
            elif isinstance(event, Frame) and not self._closing:
                self._frame_received(event)
        if self._ws.parser_exc is not None and not self._closing:
            self._closing = True
            close = self._ws.close_sent
            log.warning(
                "peer_closed",
                document=self.document,
                peer=self.label,
                code=close.code if close else None,
                reason=str(self._ws.parser_exc),
            )
        self._flush()

    def shutdown(self) -> None:
        """uvicorn calls this on SIGTERM: clients should reconnect elsewhere or later."""
        self.close(CloseCode.SERVICE_RESTART, "server restarting")

    # Peer (what the room uses)

    def send(self, frame: bytes) -> None:
        transport = self._transport
        if self._gone or self._closing or transport is None:
            return
        transport.write(frame)
        if transport.get_write_buffer_size() > self.hub.limits.max_buffered_bytes:
            log.warning("peer_too_slow", document=self.document, peer=self.label)
            self._closing = True
            transport.abort()

    def close(self, code: CloseCode, reason: str) -> None:
        if self._closing or self._gone or self._transport is None:
            return
        self._closing = True
        if self._ws.state.name == "OPEN":
            self._ws.send_close(int(code), reason[:120])
            self._flush()
            self._close_timer = asyncio.get_running_loop().call_later(
                self.hub.limits.close_timeout, self._transport.abort
            )
        else:
            self._transport.close()

    # internals

    def _flush(self) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        for chunk in self._ws.data_to_send():
            if chunk:
                transport.write(chunk)
            else:
                transport.close()
                return

    def _reject(self, status: int, text: str) -> None:
        log.info("handshake_refused", path=self.document, peer=self.label, status=status)
        self._ws.send_response(self._ws.reject(status, text + "\n"))

    def _handshake(self, request: Request) -> None:
        path = request.path.partition("?")[0]
        if not path.startswith(PATH_PREFIX):
            self._reject(404, f"no websocket endpoint at {path}")
            return
        name = path[len(PATH_PREFIX) :]
        self.document = name
        if DOCUMENT_NAME.fullmatch(name) is None:
            self._reject(400, "document names are 1-128 characters of A-Z a-z 0-9 _ . -")
            return
        response = self._ws.accept(request)
        self._ws.send_response(response)
        if response.status_code != 101:
            return
        self._session = PeerSession(can_write=True)
        self._join_task = asyncio.get_running_loop().create_task(self._join(self._session))

    async def _join(self, session: PeerSession) -> None:
        try:
            room = await self.hub.rooms.join(self.document, self, session)
        except Exception as exc:
            log.error("join_failed", document=self.document, peer=self.label, error=repr(exc))
            self.close(CloseCode.INTERNAL_ERROR, "document could not be loaded")
            return
        if self._gone:
            self.hub.rooms.leave(room, self)
            return
        self._room = room
        log.info("peer_joined", document=self.document, peer=self.label, peers=len(room.peers))
        early, self._early = self._early or [], None
        for message in early:
            if self._closing:
                break
            self._deliver(room, message)

    def _deliver(self, room: Room, message: bytes) -> None:
        try:
            room.receive(self, message)
        except Exception:
            # A bug met by one message ends this connection only, never the room or the process.
            log.exception("message_failed", document=self.document, peer=self.label)
            self.close(CloseCode.INTERNAL_ERROR, "internal error")

    def _frame_received(self, frame: Frame) -> None:
        opcode = frame.opcode
        data = frame.data if isinstance(frame.data, bytes) else bytes(frame.data)
        if opcode is Opcode.BINARY:
            if frame.fin:
                self._message(data)
            else:
                self._fragments = [data]
        elif opcode is Opcode.CONT:
            self._fragments.append(data)
            if frame.fin:
                message = b"".join(self._fragments)
                self._fragments = []
                self._message(message)
        elif opcode is Opcode.TEXT:
            log.warning("peer_closed", document=self.document, peer=self.label, reason="text frame")
            self.close(CloseCode.UNSUPPORTED_DATA, "binary frames only")

    def _message(self, message: bytes) -> None:
        room = self._room
        if room is not None:
            self._deliver(room, message)
            return
        if self._early is None:
            return
        if len(self._early) >= MAX_EARLY_MESSAGES:
            self.close(CloseCode.POLICY_VIOLATION, "too many messages before sync")
            return
        self._early.append(message)
