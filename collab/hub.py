"""Everything the collaboration side of one server process shares, started and stopped together."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from collab.admission import Admission, open_admission
from collab.bus import CONTROL, Bus, BusKind, BusMessage, LocalBus
from collab.errors import CloseCode
from collab.group_commit import GroupCommitter
from collab.limits import Limits
from collab.locks import LockTable
from collab.peer import Framer, Peer
from collab.policy import PolicyFactory, roles_only
from collab.rooms import QuietHook, Rooms
from collab.stats import CollabStats
from documents.checkpoints import CheckpointPolicy
from documents.store.log import UpdateLog

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class HubConfig:
    limits: Limits = field(default_factory=Limits)
    checkpoints: CheckpointPolicy = field(default_factory=CheckpointPolicy)
    checkpoint_interval: float = 5.0
    commit_window: float = 0.002
    unload_delay: float = 1.0
    allowed_origins: frozenset[str] = frozenset()  # besides the server's own
    quiet_after: float = 600.0  # seconds without updates before a document counts as quiet


class CollabHub:
    """The group committer, the room registry and their background tasks."""

    def __init__(
        self,
        store: UpdateLog,
        framer: Framer,
        config: HubConfig,
        *,
        admission: Admission = open_admission,
        observe_commit_latency: Callable[[float], None] | None = None,
        on_quiet: QuietHook | None = None,
        bus: Bus | None = None,
        forget: Callable[[BusKind, str], None] | None = None,
        write_policy: PolicyFactory = roles_only,
        locks: LockTable | None = None,
    ) -> None:
        self.admission = admission
        self.bus: Bus = bus if bus is not None else LocalBus()
        # Drops what admission remembers of a link or workshop another node just changed.
        self._forget = forget
        self._by_link: dict[str, set[Peer]] = {}
        # The locked targets of documents (see collab.locks), which write policies consult.
        self.locks = locks if locks is not None else LockTable()
        self.limits = config.limits
        self.shutting_down = False
        self.stats = CollabStats()
        self.allowed_origins = config.allowed_origins
        self._connections_by_ip: dict[str, int] = {}
        self.committer = GroupCommitter(
            store, window=config.commit_window, observe_latency=observe_commit_latency
        )
        self.rooms = Rooms(
            store,
            self.committer,
            framer=framer,
            limits=config.limits,
            stats=self.stats,
            policy=config.checkpoints,
            unload_delay=config.unload_delay,
            on_quiet=on_quiet,
            quiet_after=config.quiet_after,
            bus=self.bus,
            write_policy=write_policy,
        )
        self._checkpoint_interval = config.checkpoint_interval
        self._tasks: list[asyncio.Task[None]] = []

    def connection_refused(self, ip: str) -> tuple[int, str] | None:
        """The HTTP status and reason a new connection from `ip` is refused with, if any."""
        if self.stats.connections_open >= self.limits.max_connections:
            return 503, "the server is at its connection limit"
        if self._connections_by_ip.get(ip, 0) >= self.limits.max_connections_per_ip:
            return 429, "too many connections from this address"
        return None

    def connection_opened(self, ip: str) -> None:
        """Count a connection against the caps until `connection_closed`."""
        self.stats.connections_open += 1
        self.stats.connections_total += 1
        self._connections_by_ip[ip] = self._connections_by_ip.get(ip, 0) + 1

    def connection_closed(self, ip: str) -> None:
        self.stats.connections_open -= 1
        left = self._connections_by_ip.get(ip, 1) - 1
        if left:
            self._connections_by_ip[ip] = left
        else:
            self._connections_by_ip.pop(ip, None)

    def track_link(self, link_id: str | None, peer: Peer) -> None:
        if link_id is not None:
            self._by_link.setdefault(link_id, set()).add(peer)

    def untrack_link(self, link_id: str | None, peer: Peer) -> None:
        if link_id is None:
            return
        peers = self._by_link.get(link_id)
        if peers is not None:
            peers.discard(peer)
            if not peers:
                del self._by_link[link_id]

    def revoke_link(self, link_id: str) -> int:
        """Close every connection opened with a share link that was just revoked, here and,
        through the bus, on every other node; returns how many were open here."""
        self._tell_others(BusKind.REVOKE_LINK, link_id)
        return self._close_link(link_id)

    def workshop_changed(self, workshop_id: str) -> None:
        """Other nodes must not admit anyone on what they read of the workshop before."""
        self._tell_others(BusKind.WORKSHOP_CHANGED, workshop_id)

    def set_locks(self, document: str, targets: frozenset[str]) -> None:
        """Lock these targets of the document (none: unlock), here and on every other node.
        The caller stores them first (rooms loaded later read them from the database)."""
        self.locks.set(document, targets)
        order = {"document": document, "targets": sorted(targets)}
        self._tell_others(BusKind.LOCKS, json.dumps(order))

    def _tell_others(self, kind: BusKind, key: str) -> None:
        self.bus.publish(BusMessage(CONTROL, kind, key.encode(), self.bus.origin))

    def _locks_changed_elsewhere(self, message: BusMessage) -> None:
        try:
            order = json.loads(message.payload)
            document, targets = order["document"], frozenset(order["targets"])
        except (ValueError, KeyError, TypeError) as exc:
            log.error("bus_locks_invalid", origin=message.origin, error=repr(exc))
            return
        self.locks.set(document, targets)

    def _close_link(self, link_id: str) -> int:
        peers = list(self._by_link.pop(link_id, ()))
        for peer in peers:
            peer.close(CloseCode.FORBIDDEN, "the share link was revoked")
        return len(peers)

    def _deliver(self, message: BusMessage) -> None:
        """Another node's message: an order for this node, or one for a document's room."""
        if message.kind in (BusKind.REVOKE_LINK, BusKind.WORKSHOP_CHANGED):
            key = message.payload.decode(errors="replace")
            if self._forget is not None:
                self._forget(message.kind, key)
            if message.kind is BusKind.REVOKE_LINK:
                closed = self._close_link(key)
                log.info("link_revoked_elsewhere", origin=message.origin, closed=closed)
        elif message.kind is BusKind.LOCKS:
            self._locks_changed_elsewhere(message)
        elif message.document != CONTROL:
            self.rooms.deliver(message)

    async def start(self) -> None:
        await self.bus.start(self._deliver, self.rooms.resync)
        self._tasks = [
            asyncio.create_task(self.committer.run(), name="group commit"),
            asyncio.create_task(self._checkpoint_loop(), name="checkpoints"),
        ]

    async def stop(self) -> None:
        """Close every peer, commit what they sent, checkpoint, then stop the tasks."""
        self.shutting_down = True
        await self.rooms.close()
        await self.bus.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _checkpoint_loop(self) -> None:
        while True:
            await asyncio.sleep(self._checkpoint_interval)
            self.rooms.sample_activity()
            try:
                await self.rooms.checkpoint_due()
            except Exception as exc:
                log.error("checkpoint_round_failed", error=repr(exc))
