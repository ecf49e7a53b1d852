"""The registry of loaded rooms: load once, unload when idle, checkpoint in the background.

A document is loaded by one task however many peers ask for it at the same instant; each of
them awaits that task (shielded, so a peer that gives up does not cancel the load for the
others). A failed load is never cached: the next join tries again. A room is unloaded only
when it has no peers and every update it accepted is committed.

With other processes on the bus, a document is subscribed to before it is read, and what the
bus delivers while the read runs is applied once the room exists, so no update committed
elsewhere falls between the two. Whenever messages may have been missed (the bus was down, an
update arrived whose dependencies never did, a publisher said so), the room catches up from
the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

import structlog

from collab.bus import Bus, BusMessage, LocalBus
from collab.checkpointing import Captured
from collab.errors import CloseCode
from collab.group_commit import GroupCommitter
from collab.lazy_doc import LazyDoc
from collab.limits import Limits
from collab.peer import Framer, Peer
from collab.policy import PolicyFactory, roles_only
from collab.replication import Replication, replication_for
from collab.room import Room
from collab.session import PeerSession
from collab.stats import CollabStats
from documents.checkpoints import CheckpointPolicy, LogTail, should_checkpoint
from documents.store.log import UpdateLog, replay, snapshot, unbuilt_state

log = structlog.get_logger(__name__)

QuietHook = Callable[[str, int, bytes], Awaitable[None]]
"""(document, log position, state vector): the document went quiet after changes."""


class Rooms:
    """Every loaded room of this process, by document name."""

    def __init__(
        self,
        store: UpdateLog,
        committer: GroupCommitter,
        *,
        framer: Framer,
        limits: Limits,
        stats: CollabStats,
        policy: CheckpointPolicy,
        unload_delay: float = 1.0,
        on_quiet: QuietHook | None = None,
        quiet_after: float = 600.0,
        bus: Bus | None = None,
        write_policy: PolicyFactory = roles_only,
    ) -> None:
        self._store = store
        self._bus: Bus = bus if bus is not None else LocalBus()
        self._replication: Replication = replication_for(self._bus, store)
        self._write_policy = write_policy
        self._limits = limits
        self._stats = stats
        self._committer = committer
        self._framer = framer
        self._policy = policy
        self._unload_delay = unload_delay
        self._on_quiet = on_quiet
        self._quiet_after = quiet_after
        self._rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Task[Room]] = {}
        self._unload_timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._arrived_while_loading: dict[str, list[BusMessage]] = {}
        self._failed: set[Room] = set()

    def __len__(self) -> int:
        return len(self._rooms)

    def get(self, name: str) -> Room | None:
        return self._rooms.get(name)

    def loaded(self) -> list[Room]:
        return list(self._rooms.values())

    def sample_activity(self) -> None:
        """One sample of every loaded room's counters, for the rates operators see."""
        now = time.monotonic()
        for room in self._rooms.values():
            room.activity.sample(now)

    async def join(self, name: str, peer: Peer, session: PeerSession) -> Room:
        """Load the document if needed and admit the peer; raises if loading failed."""
        room = await self._get_or_load(name)
        room.join(peer, session)
        return room

    async def _get_or_load(self, name: str) -> Room:
        room = self._rooms.get(name)
        if room is None:
            task = self._loading.get(name)
            if task is None:
                task = asyncio.create_task(self._load(name), name=f"load {name}")
                task.add_done_callback(self._loaded)
                self._loading[name] = task
            room = await asyncio.shield(task)
        timer = self._unload_timers.pop(name, None)
        if timer is not None:
            timer.cancel()
        return room

    @contextlib.asynccontextmanager
    async def holding(self, name: str) -> AsyncIterator[Room]:
        """The loaded room, kept loaded for a server task (a restore, a pull) with no peer."""
        room = await self._get_or_load(name)
        room.holders += 1
        try:
            yield room
        finally:
            room.holders -= 1
            self._unload_if_idle(room)

    def leave(self, room: Room, peer: Peer) -> None:
        """Remove the peer; the last one out schedules the unload."""
        room.leave(peer)
        self._unload_if_idle(room)

    def _unload_if_idle(self, room: Room) -> None:
        if not room.peers and not room.holders and self._rooms.get(room.name) is room:
            old = self._unload_timers.pop(room.name, None)
            if old is not None:
                old.cancel()
            loop = asyncio.get_running_loop()
            self._unload_timers[room.name] = loop.call_later(
                self._unload_delay, self._start_unload, room
            )

    async def snapshot(self, name: str) -> tuple[bytes, int]:
        """The document's committed state, whether or not it is loaded, as one update, and the
        log position it stands for.

        A loaded room may hold updates still being committed; waiting for the committer keeps
        readers of the HTTP side to the same rule as peers: nothing uncommitted is shown.
        """
        room = self._rooms.get(name)
        if room is not None and not self._replication.log_is_shared:
            while not room.settled and not room.failed:
                await self._committer.drain()
            if not room.failed:
                return room.encoded_state(), room.position
        # Other processes write this document too: only the log says which state a position
        # stands for.
        return await snapshot(self._store, name, self._policy, spawn=self._spawn)

    async def _load(self, name: str) -> Room:
        self._arrived_while_loading[name] = []
        try:
            await self._bus.subscribe(name)
            # The write policy and the document are read at once: the policy's query (~2 ms)
            # used to wait for the load, which a fresh client of the document waits for.
            reading_policy = asyncio.ensure_future(self._write_policy(name))
            try:
                stored = await self._store.load(name)
            except BaseException:
                reading_policy.cancel()
                with contextlib.suppress(BaseException):
                    await reading_policy
                raise
            policy = await reading_policy
        except BaseException:
            del self._arrived_while_loading[name]
            self._bus.unsubscribe(name)
            raise
        # A checkpoint is the state already encoded, and a short tail after it is merged alone
        # (see unbuilt_state): the document is built on first use (see collab.lazy_doc);
        # otherwise it is built now.
        unbuilt = unbuilt_state(stored)
        if unbuilt is None:
            document = LazyDoc(replay(stored))
        else:
            state, tail_update = unbuilt
            document = LazyDoc(state=state, tail=tail_update)
        tail = LogTail(len(stored.tail), sum(len(update) for _, update in stored.tail), 0.0)
        room = Room(
            name,
            document,
            position=stored.last_position,
            tail=tail,
            loaded_bytes=len(stored.checkpoint or b"") + tail.bytes,
            committer=self._committer,
            framer=self._framer,
            limits=self._limits,
            stats=self._stats,
            checkpoints=self._policy,
            policy=policy,
            replication=self._replication,
            on_failure=self._drop,
        )
        room.on_capture = self._captured
        if stored.checkpoint is not None:
            room.activity.checkpoint_position = stored.checkpoint_position
        self._rooms[name] = room
        now = time.monotonic()
        for message in self._arrived_while_loading.pop(name):
            self._replication.deliver(room, message, now)
        log.info("document_loaded", document=name, position=room.position, tail=tail.entries)
        return room

    def _loaded(self, task: asyncio.Task[Room]) -> None:
        name = next((n for n, t in self._loading.items() if t is task), None)
        if name is not None:
            del self._loading[name]
        if not task.cancelled() and task.exception() is not None:
            log.error("document_load_failed", document=name, error=repr(task.exception()))

    def deliver(self, message: BusMessage) -> None:
        """A message from another process: to its room, or held until the room exists."""
        room = self._rooms.get(message.document)
        if room is not None:
            self._replication.deliver(room, message, time.monotonic())
            return
        waiting = self._arrived_while_loading.get(message.document)
        if waiting is not None:
            waiting.append(message)

    def resync(self) -> None:
        """The bus is back after an outage: every loaded room catches up from the log."""
        self._replication.resync(list(self._rooms.values()))

    async def _release_failed(self) -> None:
        """Once the database answers again, the peers left in failed rooms reconnect to fresh
        ones, which load what was committed and take their resent edits."""
        if not self._failed:
            return
        try:
            await self._store.ping()
        except Exception as exc:
            log.warning("storage_still_unavailable", rooms=len(self._failed), error=repr(exc))
            return
        failed, self._failed = self._failed, set()
        for room in failed:
            for peer in list(room.peers):
                peer.close(CloseCode.SERVICE_RESTART, "the database is back; reconnect")
        log.info("storage_restored", rooms=len(failed))

    def _drop(self, room: Room) -> None:
        """A room whose commit failed leaves the registry at once (the next join loads the
        document afresh from the log); its remaining peers wait for `_release_failed`."""
        self._failed.add(room)
        if self._rooms.get(room.name) is room:
            del self._rooms[room.name]
            self._bus.unsubscribe(room.name)
            self._replication.forget(room)
        timer = self._unload_timers.pop(room.name, None)
        if timer is not None:
            timer.cancel()

    def _spawn(self, work: Coroutine[Any, Any, None], name: str | None = None) -> None:
        """Run `work` as a task of these rooms: `close` waits for it."""
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _start_unload(self, room: Room) -> None:
        self._unload_timers.pop(room.name, None)
        self._spawn(self._unload(room), f"unload {room.name}")

    async def _unload(self, room: Room) -> None:
        while not room.settled and not room.failed:
            await self._committer.drain()
        if room.peers or room.holders or self._rooms.get(room.name) is not room:
            return
        del self._rooms[room.name]
        self._bus.unsubscribe(room.name)
        await self._checkpoint(room, force_idle=True)
        await self._report_quiet(room)
        self._replication.forget(room)
        log.info("document_unloaded", document=room.name, position=room.position)

    async def checkpoint_due(self) -> None:
        """Fold the log of every room whose policy says so, and report the rooms that went
        quiet (called periodically). With other processes writing, first read what the log
        gained: a process killed between its commit and its publish leaves updates only there."""
        await self._release_failed()
        for room in list(self._rooms.values()):
            caught_up = False
            if not room.failed:
                try:
                    await self._replication.catch_up(room)
                    caught_up = True
                except Exception as exc:
                    log.error("catch_up_failed", document=room.name, error=repr(exc))
            await self._checkpoint(room, force_idle=False, caught_up=caught_up)
            if room.checkpoints.tail().idle_seconds >= self._quiet_after:
                await self._report_quiet(room)

    async def _report_quiet(self, room: Room) -> None:
        """Tell the hook once per stretch of changes: after a quiet period, or on unload."""
        if self._on_quiet is None or not room.settled or room.failed:
            return
        await self._replication.catch_up(room)
        if room.position <= room.quiet_reported:
            return
        room.quiet_reported = room.position
        try:
            await self._on_quiet(room.name, room.position, room.state_vector())
        except Exception as exc:
            log.error("quiet_hook_failed", document=room.name, error=repr(exc))

    async def _checkpoint(self, room: Room, *, force_idle: bool, caught_up: bool = False) -> None:
        if room.failed or room.stalled_bytes or room.checkpoints.writing:
            return
        tail = room.checkpoints.tail()
        judged = LogTail(tail.entries, tail.bytes, math.inf) if force_idle else tail
        if not should_checkpoint(self._policy, judged):
            return
        if not caught_up:
            # A checkpoint may only claim the position the room is known complete up to,
            # which only a read of the log advances when other processes write it too.
            await self._replication.catch_up(room)
        if not room.settled:
            # Busy: the committer captures the state at its next batch boundary.
            room.checkpoints.wanted = True
            return
        room.checkpoints.writing = True
        await self._write_checkpoint(room, room.encoded_state(), room.position, tail)

    def _captured(self, room: Room, captured: Captured, position: int) -> None:
        state, tail = captured
        room.checkpoints.writing = True
        self._spawn(self._write_checkpoint(room, state, position, tail), f"checkpoint {room.name}")

    async def _write_checkpoint(
        self, room: Room, state: bytes, position: int, tail: LogTail
    ) -> None:
        """Write one checkpoint; the caller set `room.checkpoints.writing` (one write at a time
        per room, since each subtracts the tail it covers: see RoomCheckpoints.checkpointed)."""
        try:
            await self._store.save_checkpoint(room.name, state, position)
        except Exception as exc:
            log.error("checkpoint_failed", document=room.name, error=repr(exc))
            return
        finally:
            room.checkpoints.writing = False
        room.checkpoints.checkpointed(tail)
        room.activity.checkpoint_position = position
        room.activity.checkpoint_at = time.time()
        log.info(
            "checkpoint_written",
            document=room.name,
            position=position,
            entries=tail.entries,
            bytes=len(state),
        )

    async def close(self) -> None:
        """Shutdown: close every peer (1012), commit everything, checkpoint, forget all rooms."""
        for timer in self._unload_timers.values():
            timer.cancel()
        self._unload_timers.clear()
        for room in list(self._rooms.values()):
            for peer in list(room.peers):
                peer.close(CloseCode.SERVICE_RESTART, "server shutting down")
        await self._committer.drain()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for room in list(self._rooms.values()):
            await self._checkpoint(room, force_idle=True)
            await self._report_quiet(room)
        self._rooms.clear()
