"""The `/collab/{name}` websocket endpoint, on uvicorn's websocket-protocol slot.

Starlette keeps serving HTTP on the same port, but a collaboration socket does not go through
ASGI: uvicorn hands the upgraded connection to this `asyncio.Protocol`, which answers the
upgrade itself (`collab.handshake`), reads plain binary messages itself (`collab.frames`),
drives the `websockets` library's sans-IO protocol, created open, for control frames,
fragments and closing, and writes each broadcast frame, encoded once per room, straight to
every peer's transport.
Measured in ../shared/PERFORMANCE_NOTES.md: ASGI and a per-peer await cost more server CPU
per delivered update than the whole relay.

Admission happens before the upgrade, with plain HTTP statuses (400 bad name, 403 origin,
404 path, 429/503 connection caps); after it, every problem ends in a close code from
`collab.errors`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Sequence
from typing import Any, cast

import structlog
from websockets.frames import Frame
from websockets.protocol import Protocol, Side, State

from collab.admission import Denied
from collab.errors import CloseCode
from collab.frames import PARTS_FROM_BYTES, Fragments, FrameSplitter, TextFrame, plain_message
from collab.handshake import BadUpgrade, read_opening, read_upgrade, refusal, switching
from collab.hub import CollabHub
from collab.liveness import GiveUp, first_check_after, next_check
from collab.peer import Frame as OutgoingFrame
from collab.room import Room
from collab.session import PeerSession

log = structlog.get_logger(__name__)

MAX_EARLY_MESSAGES = 256  # frames a client may send before its document is loaded

_connection_numbers = itertools.count(1)
# websockets logs every open and close at INFO; our own log lines name the document instead.
_quiet_logger = logging.getLogger("verstas.websockets")
_quiet_logger.setLevel(logging.WARNING)


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
        self._loop = _loop or asyncio.get_event_loop()
        self._connections: set[Any] = server_state.connections
        self._requested = False  # the upgrade request came (the first data uvicorn hands on)
        self._ws: Protocol | None = None  # from the upgrade on
        self._upgrade: bytes | None = None  # the upgrade's answer, while it waits (see _admit)
        self._splitter: FrameSplitter | None = None  # from the upgrade on (see collab.frames)
        self._largest_frame = 0  # see _write
        self._transport: asyncio.Transport | None = None
        self._ip = "?"
        self.label = f"#{next(_connection_numbers)}"
        self.document = ""
        self._counted = False
        self._link_id: str | None = None
        self._room: Room | None = None
        self._early: list[bytes] | None = []
        self._fragments = Fragments()
        self._heard_message = False
        self._closing = False
        self._gone = False
        self._last_heard = self._loop.time()
        self._timer: asyncio.TimerHandle | None = None
        self._join_task: asyncio.Task[None] | None = None

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self._transport = cast(asyncio.Transport, transport)
        self._connections.add(self)
        peername = transport.get_extra_info("peername")
        if isinstance(peername, tuple) and len(peername) >= 2:
            self._ip = str(peername[0])
            self.label = f"{peername[0]}:{peername[1]}{self.label}"

    def connection_lost(self, exc: Exception | None) -> None:
        self._gone = True
        self._connections.discard(self)
        if self._timer is not None:
            self._timer.cancel()
        if self._counted:
            self._uncount()
        self.hub.untrack_link(self._link_id, self)
        if self._room is not None:
            self.hub.rooms.leave(self._room, self)
            self._room = None
            log.debug("peer_left", document=self.document, peer=self.label)

    def data_received(self, data: bytes) -> None:
        self._last_heard = self._loop.time()
        self.hub.stats.bytes_in += len(data)
        ws, splitter = self._ws, self._splitter
        if ws is None or splitter is None:
            # Before the upgrade only its request comes: reading pauses until it is answered.
            if not self._requested:
                self._requested = True
                self._handshake(data)
            return
        if not splitter.on:
            self._parse(ws, data)
        else:
            for frame in splitter.feed(data):
                message = None
                # Off after this feed: it ended with bytes that are no whole frame (too long).
                if splitter.on and ws.state is State.OPEN and not self._closing:
                    message = plain_message(frame) if ws.current_size is None else None
                if message is None:
                    self._parse(ws, frame)
                else:
                    self._message(message)
            if splitter.on and (self._closing or ws.state is not State.OPEN):
                self._parse(ws, splitter.stop())
        self._flush()

    def _parse(self, ws: Protocol, data: bytes) -> None:
        """Through `websockets`: every frame but plain binary messages."""
        ws.receive_data(data)
        for event in ws.events_received():
            if isinstance(event, Frame) and not self._closing:
                self._frame_received(event)
        if ws.parser_exc is not None and not self._closing:
            self._closing = True
            close = ws.close_sent
            code = close.code if close else CloseCode.PROTOCOL_ERROR
            self.hub.stats.refused[CloseCode(code).name.lower()] += 1
            log.warning(
                "peer_closed",
                document=self.document,
                peer=self.label,
                code=code,
                reason=str(ws.parser_exc),
            )

    def shutdown(self) -> None:
        """uvicorn calls this on SIGTERM: clients should reconnect elsewhere or later."""
        self.hub.shutting_down = True
        self.close(CloseCode.SERVICE_RESTART, "server restarting")

    # Peer (what the room uses)

    def send(self, frame: OutgoingFrame) -> None:
        if isinstance(frame, bytes):
            self._write(frame, len(frame), 1)
        else:
            self._write(frame, sum(map(len, frame)), 1)

    def send_frames(self, frames: Sequence[OutgoingFrame]) -> None:
        parts = [part for f in frames for part in ((f,) if isinstance(f, bytes) else f)]
        if all(len(part) < PARTS_FROM_BYTES for part in parts):
            joined = b"".join(parts)
            self._write(joined, len(joined), len(frames))
        else:
            self._write(parts, sum(map(len, parts)), len(frames))

    def buffered(self) -> int:
        transport = self._transport
        if self._gone or transport is None:
            return 0
        return transport.get_write_buffer_size()

    def _write(self, data: bytes | Sequence[bytes], size: int, frames: int) -> None:
        """One write of `frames` frames, `size` bytes: whole, or in parts never joined."""
        transport = self._transport
        if self._gone or self._closing or transport is None:
            return
        upgrade = self._upgrade
        if upgrade is not None:
            self._upgrade = None
            data = upgrade + data if isinstance(data, bytes) else [upgrade, *data]
        if isinstance(data, bytes):
            transport.write(data)
        else:
            transport.writelines(data)
        stats = self.hub.stats
        stats.frames_out += frames
        stats.bytes_out += size
        # A slow peer is one that falls behind by more than the limit beyond the largest write
        # it was given (a message, or what one commit released to it): a fresh client of a
        # document of 20 MiB is sent it at once, and the updates that follow while it
        # downloads must not cut it off.
        if size > self._largest_frame:
            self._largest_frame = size
        limit = self.hub.limits.max_buffered_bytes + self._largest_frame
        if transport.get_write_buffer_size() > limit:
            stats.refused["slow_peer"] += 1
            log.warning("peer_too_slow", document=self.document, peer=self.label)
            self._closing = True
            transport.abort()

    def close(self, code: CloseCode, reason: str) -> None:
        transport = self._transport
        if self._closing or self._gone or transport is None:
            return
        self._closing = True
        if self._ws is not None and self._ws.state is State.OPEN:
            self._ws.send_close(int(code), reason[:120])
            self._flush()
            self._set_timer(self.hub.limits.close_timeout, transport.abort)
        else:
            transport.close()

    # admission

    def _handshake(self, request: bytes) -> None:
        try:
            upgrade = read_upgrade(request)
            opening = read_opening(upgrade, self.hub.allowed_origins)
        except BadUpgrade as exc:
            self.document = exc.document
            self._reject(exc.status, exc.reason, exc.extra)
            return
        self.document = opening.document
        refused = self.hub.connection_refused(self._ip)
        if refused is not None:
            self._reject(*refused)
            return
        self._counted = True
        self.hub.connection_opened(self._ip)
        self._set_timer(self.hub.limits.handshake_timeout, self._check_alive)
        assert self._transport is not None
        self._transport.pause_reading()
        self._join_task = self._loop.create_task(self._admit(upgrade.key, opening.token))

    async def _admit(self, key: str, token: str | None) -> None:
        """Ask who may open the document; only then answer the upgrade, and join."""
        try:
            grant = await self.hub.admission(self.document, token)
        except Denied as exc:
            self._uncount()
            self._reject(exc.status, exc.reason)
            return
        except Exception as exc:
            self._uncount()
            log.error("admission_failed", document=self.document, peer=self.label, error=repr(exc))
            self._reject(503, "access could not be checked")
            return
        transport = self._transport
        if self._gone or transport is None:
            return
        max_size = self.hub.limits.max_message_bytes
        self._ws = Protocol(Side.SERVER, max_size=max_size, logger=_quiet_logger)
        self._splitter = FrameSplitter(max_size)
        if self.hub.rooms.get(self.document) is None:
            transport.write(switching(key))  # the client may send while the document loads
        else:
            # A loaded room greets the peer at once: the answer goes out with the greeting, one
            # write instead of two (each a system call waking the client's side of loopback).
            self._upgrade = switching(key)
        transport.resume_reading()
        self._link_id = grant.link_id
        self.hub.track_link(grant.link_id, self)
        session = PeerSession(
            can_write=grant.can_write,
            limits=self.hub.limits,
            now=self._loop.time(),
            role=grant.role,
        )
        await self._join(session)

    def _reject(self, status: int, text: str, extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.hub.stats.refused[f"http_{status}"] += 1
        log.info(
            "handshake_refused", document=self.document, peer=self.label, status=status, reason=text
        )
        transport = self._transport
        if transport is not None and not transport.is_closing():
            transport.write(refusal(status, text, extra))
            transport.close()

    def _uncount(self) -> None:
        self._counted = False
        self.hub.connection_closed(self._ip)

    async def _join(self, session: PeerSession) -> None:
        try:
            room = await self.hub.rooms.join(self.document, self, session)
        except Exception as exc:
            log.error("join_failed", document=self.document, peer=self.label, error=repr(exc))
            self.close(CloseCode.INTERNAL_ERROR, "document could not be loaded")
            return
        self._send_upgrade()  # if the greeting did not take it
        if self._gone:
            self.hub.rooms.leave(room, self)
            return
        self._room = room
        # Debug, as peer_left: ~9% of a connection's CPU, noise at scale (counts: /metrics).
        log.debug("peer_joined", document=self.document, peer=self.label, peers=len(room.peers))
        early, self._early = self._early or [], None
        for message in early:
            if self._closing:
                break
            self._deliver(room, message)

    # liveness: one timer per connection, re-armed, never a task per connection

    def _set_timer(self, delay: float, callback: Any) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._loop.call_later(delay, callback)

    def _check_alive(self) -> None:
        """Before the first message: the handshake deadline. After it: pings and the idle cut."""
        self._timer = None
        if self._closing or self._gone:
            return
        verdict = next_check(
            heard_message=self._heard_message,
            silent=self._loop.time() - self._last_heard,
            idle_timeout=self.hub.limits.idle_timeout,
        )
        if isinstance(verdict, GiveUp):
            self._give_up(verdict.reason)
            return
        if verdict.ping and self._ws is not None:
            self._ws.send_ping(b"")
            self._flush()
        self._set_timer(verdict.after, self._check_alive)

    def _give_up(self, reason: str) -> None:
        self.hub.stats.refused["timeout"] += 1
        log.warning("peer_closed", document=self.document, peer=self.label, reason=reason)
        self.close(CloseCode.POLICY_VIOLATION, reason)

    # frames

    def _send_upgrade(self) -> None:
        upgrade, self._upgrade = self._upgrade, None
        transport = self._transport
        if upgrade is not None and transport is not None and not transport.is_closing():
            transport.write(upgrade)

    def _flush(self) -> None:
        transport, ws = self._transport, self._ws
        if transport is None or ws is None or transport.is_closing():
            return
        self._send_upgrade()
        for chunk in ws.data_to_send():
            if chunk:
                transport.write(chunk)
            else:
                transport.close()
                return

    def _frame_received(self, frame: Frame) -> None:
        data = frame.data if isinstance(frame.data, bytes) else bytes(frame.data)
        try:
            message = self._fragments.take(frame.opcode, data, frame.fin)
        except TextFrame:
            self.hub.stats.refused["unsupported_data"] += 1
            log.warning("peer_closed", document=self.document, peer=self.label, reason="text frame")
            self.close(CloseCode.UNSUPPORTED_DATA, "binary frames only")
            return
        if message is not None:
            self._message(message)

    def _message(self, message: bytes) -> None:
        self.hub.stats.messages_in += 1
        if not self._heard_message:
            self._heard_message = True
            # The handshake deadline's timer is the first liveness check when it comes first (by
            # default: 10 s against 20): arming a timer took 7% of connecting's GIL samples.
            timer, first_check = self._timer, first_check_after(self.hub.limits.idle_timeout)
            if self._closing or timer is None or timer.when() > self._loop.time() + first_check:
                self._set_timer(first_check, self._check_alive)
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

    def _deliver(self, room: Room, message: bytes) -> None:
        try:
            room.receive(self, message, self._loop.time())
        except Exception:
            # A bug met by one message ends this connection only, never the room or the process.
            log.exception("message_failed", document=self.document, peer=self.label)
            self.close(CloseCode.INTERNAL_ERROR, "internal error")
