"""The bus over Redis pub/sub: one channel per document, one reader and one publisher task.

Redis only carries traffic; it keeps nothing. So the one thing this module must get right is
noticing when messages may have been missed, and saying so: when the connection is lost the bus
turns unhealthy (each process goes on serving its own peers), and when it is back, it
re-subscribes and asks every loaded document to catch up from the database. A process whose
publishing failed while its subscriptions held tells the others which documents to catch up
once it can publish again.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as redis
import structlog
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from collab.bus import (
    CONTROL,
    BusEnvelopeError,
    BusKind,
    BusMessage,
    BusStats,
    Deliver,
    Resync,
    decode_envelope,
    encode_envelope,
    new_origin,
)

log = structlog.get_logger(__name__)

CHANNEL_PREFIX = "verstas:doc:"
CONTROL_CHANNEL = "verstas:control"
_RECONNECT_DELAYS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0)
_SUBSCRIBE_TIMEOUT = 2.0
_MAX_QUEUE = 100_000  # messages waiting to be published before new ones are dropped


class RedisBus:
    """Fan-out over one Redis server (or anything speaking its pub/sub)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._origin = new_origin()
        self._client: redis.Redis = redis.Redis.from_url(url)
        self._pubsub: PubSub | None = None
        self._documents: set[str] = set()
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        self._queue: list[BusMessage] = []
        self._wake = asyncio.Event()
        self._missed: set[str] = set()  # documents whose messages could not be published
        self._control: list[BusMessage] = []  # orders for every node, kept until published
        self._healthy = False
        self._deliver: Deliver | None = None
        self._resync: Resync | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.stats = BusStats()

    @property
    def origin(self) -> str:
        return self._origin

    @property
    def exclusive(self) -> bool:
        return False

    @property
    def healthy(self) -> bool:
        return self._healthy

    async def start(self, deliver: Deliver, resync: Resync) -> None:
        """Connect if Redis answers; if not, start degraded and keep trying in the background,
        so a Redis outage never keeps a node from serving its own peers."""
        self._deliver, self._resync = deliver, resync
        try:
            await self._connect()
        except (RedisError, OSError, TimeoutError) as exc:
            self._went_down(exc)
        self._tasks = [
            asyncio.create_task(self._read(), name="bus reader"),
            asyncio.create_task(self._publish_loop(), name="bus publisher"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._pubsub is not None:
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._client.aclose()

    async def subscribe(self, document: str) -> None:
        """Subscribe and wait for Redis to confirm, so that everything published after the
        caller's next database read reaches this process. While the bus is down this returns
        at once: the resync after the outage covers the document."""
        self._documents.add(document)
        if not self._healthy or self._pubsub is None:
            return
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmations[document] = confirmed
        try:
            await self._pubsub.subscribe(CHANNEL_PREFIX + document)
            await asyncio.wait_for(asyncio.shield(confirmed), _SUBSCRIBE_TIMEOUT)
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("bus_subscribe_failed", document=document, error=repr(exc))
        finally:
            self._confirmations.pop(document, None)

    def unsubscribe(self, document: str) -> None:
        self._documents.discard(document)
        if self._healthy and self._pubsub is not None:
            task = asyncio.create_task(self._unsubscribe(document), name=f"unsubscribe {document}")
            task.add_done_callback(_log_failure)

    async def _unsubscribe(self, document: str) -> None:
        if document not in self._documents and self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.unsubscribe(_channel(document))

    def publish(self, message: BusMessage) -> None:
        if message.document == CONTROL:
            # Deployment-wide orders (a revoked link) have no log to catch up from: they wait
            # for the bus instead of being dropped.
            self._control.append(message)
            self._wake.set()
            return
        if not self._healthy or len(self._queue) >= _MAX_QUEUE:
            self.stats.dropped += 1
            self._missed.add(message.document)
            return
        self._queue.append(message)
        self._wake.set()

    async def _publish_loop(self) -> None:
        """One pipeline per batch: publishing costs a round trip per batch, not per message."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            if not self._healthy:
                continue  # updates were dropped (and will be caught up); orders wait
            batch, self._queue = self._queue, []
            batch = [
                *self._control,
                *(self._resync_request(d) for d in sorted(self._missed)),
                *batch,
            ]
            self._control, self._missed = [], set()
            if not batch:
                continue
            try:
                async with self._client.pipeline(transaction=False) as pipe:
                    for message in batch:
                        pipe.publish(_channel(message.document), encode_envelope(message))
                    await pipe.execute()
            except (RedisError, OSError) as exc:
                self._control += [m for m in batch if m.document == CONTROL]
                updates = [m for m in batch if m.document != CONTROL]
                self.stats.dropped += len(updates)
                self._missed.update(m.document for m in updates)
                log.warning("bus_publish_failed", messages=len(batch), error=repr(exc))
                continue
            self.stats.published += len(batch)

    def _resync_request(self, document: str) -> BusMessage:
        return BusMessage(document, BusKind.RESYNC, b"", self._origin)

    async def _read(self) -> None:
        """Deliver messages; on a lost connection, go degraded and reconnect until it works."""
        attempt = 0
        while True:
            if not self._healthy:
                await asyncio.sleep(_RECONNECT_DELAYS[min(attempt, len(_RECONNECT_DELAYS) - 1)])
                attempt += 1
                try:
                    await self._connect()
                except (RedisError, OSError, TimeoutError) as exc:
                    log.debug("bus_reconnect_failed", error=repr(exc))
                    continue
                attempt = 0
                self.stats.resyncs += 1
                log.info("bus_restored", url=_safe(self._url), documents=len(self._documents))
                self._wake.set()  # publish the resync requests for what this process missed
                if self._resync is not None:
                    self._resync()
            try:
                await self._read_until_lost()
            except (RedisError, OSError) as exc:
                self._went_down(exc)

    def _went_down(self, exc: BaseException) -> None:
        if self._healthy or self.stats.outages == 0:
            self.stats.outages += 1
            log.error("bus_down", url=_safe(self._url), error=repr(exc))
        self._healthy = False

    async def _read_until_lost(self) -> None:
        assert self._pubsub is not None
        pubsub = self._pubsub
        while True:
            response: Any = await pubsub.get_message(timeout=None)
            if response is not None:
                self._handle(response)

    def _handle(self, response: dict[str, Any]) -> None:
        kind = response.get("type")
        channel = response.get("channel")
        if not isinstance(channel, bytes):
            return
        name = channel.decode()
        document = CONTROL if name == CONTROL_CHANNEL else name[len(CHANNEL_PREFIX) :]
        if kind == "subscribe":
            confirmed = self._confirmations.get(document)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)
            return
        if kind != "message" or self._deliver is None:
            return
        try:
            message = decode_envelope(document, response["data"])
        except BusEnvelopeError as exc:
            self.stats.invalid += 1
            log.warning("bus_message_invalid", document=document, error=str(exc))
            return
        if message.origin == self._origin:
            return
        self.stats.received += 1
        self._deliver(message)

    async def _await_confirmations(self, expected: int) -> None:
        """Read until Redis has confirmed every subscription, so the catch-up that follows
        cannot miss a message published in between (messages read meanwhile are delivered)."""
        assert self._pubsub is not None
        confirmed = 0
        async with asyncio.timeout(_SUBSCRIBE_TIMEOUT):
            while confirmed < expected:
                response: Any = await self._pubsub.get_message(timeout=None)
                if response is not None:
                    confirmed += response.get("type") == "subscribe"
                    self._handle(response)

    async def _connect(self) -> None:
        """A fresh subscription to every loaded document; healthy once Redis confirmed it."""
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        self._pubsub = self._client.pubsub()
        await self._pubsub.connect()  # type: ignore[no-untyped-call]
        await self._pubsub.subscribe(CONTROL_CHANNEL, *(_channel(d) for d in self._documents))
        await self._await_confirmations(1 + len(self._documents))
        await self._client.ping()
        self._healthy = True
        log.info("bus_connected", url=_safe(self._url), origin=self._origin)


def _channel(document: str) -> str:
    return CONTROL_CHANNEL if document == CONTROL else CHANNEL_PREFIX + document


def _safe(url: str) -> str:
    """The URL without its password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("bus_task_failed", task=task.get_name(), error=repr(task.exception()))
