"""Group commit: every accepted update is committed before anyone else may see it, cheaply.

Durability costs per commit, not per update, so updates that arrive while a commit runs go
into the next one together. Under sustained load the committer also holds a batch until its
oldest update is `window` old, so each transaction carries several updates while no update
waits for the window more than once; when updates are sparse it commits at once, so a lone
edit pays no window. Listeners hear of their updates strictly in submission order, which is
what lets a room broadcast only what is committed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog

from documents.store.log import PendingUpdate, UpdateLog

log = structlog.get_logger(__name__)


class CommitListener(Protocol):
    """A room: told when its updates are durable, or that they could not be made so."""

    def batch_taken(self, last_ticket: int) -> None:
        """Its updates up to `last_ticket` are about to be committed together."""

    def committed(self, last_ticket: int, positions: Sequence[int]) -> None:
        """Its updates up to `last_ticket` are durable: those of this batch, once per batch,
        with their log positions in submission order."""

    def commit_failed(self, error: BaseException) -> None: ...


@dataclass(slots=True)
class _Submitted:
    listener: CommitListener
    document: str
    update: bytes
    ticket: int
    submitted_at: float


class ArrivalGap:
    """A smoothed time between submissions: is the committer under sustained load?"""

    # One gap longer than this says nothing more than "sparse"; capping it lets the estimate
    # come back down within a few submissions once a burst starts.
    _LONGEST = 1.0

    def __init__(self) -> None:
        self.seconds = self._LONGEST
        self._last: float | None = None

    def observe(self, now: float) -> None:
        if self._last is not None:
            gap = min(now - self._last, self._LONGEST)
            self.seconds = 0.7 * self.seconds + 0.3 * gap
        self._last = now


@dataclass(slots=True)
class CommitStats:
    """Counters read by metrics and benchmarks."""

    commits: int = 0
    updates: int = 0
    failures: int = 0


class GroupCommitter:
    """One writer for the whole process; run `run()` as a task, `submit()` from anywhere."""

    def __init__(
        self,
        store: UpdateLog,
        *,
        window: float = 0.002,
        max_batch: int = 512,
        observe_latency: Callable[[float], None] | None = None,
    ) -> None:
        self._store = store
        self._observe_latency = observe_latency
        self._window = window
        self._max_batch = max_batch
        self._queue: list[_Submitted] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._gap = ArrivalGap()
        self.stats = CommitStats()

    def submit(self, listener: CommitListener, document: str, update: bytes, ticket: int) -> None:
        """Queue an update; the listener hears `committed(ticket, …)` (or a later ticket of
        the same batch) once it is durable."""
        now = time.monotonic()
        self._gap.observe(now)
        self._queue.append(_Submitted(listener, document, update, ticket, now))
        self._idle.clear()
        self._wake.set()

    async def drain(self) -> None:
        """Return once everything submitted so far is committed or has failed."""
        await self._idle.wait()

    async def run(self) -> None:
        """Commit batches until cancelled; never stops on a failed commit."""
        while True:
            if not self._queue:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
            if self._gap.seconds < self._window and len(self._queue) < self._max_batch:
                # Updates that arrived during the last commit have already waited part of it.
                wait = self._queue[0].submitted_at + self._window - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            await self._commit(batch)

    async def _commit(self, batch: Sequence[_Submitted]) -> None:
        # Per listener, in submission order: a room hears once per batch, so it can send each
        # peer everything this commit released at once.
        groups: dict[int, list[_Submitted]] = {}
        for item in batch:
            groups.setdefault(id(item.listener), []).append(item)
        for items in groups.values():
            items[-1].listener.batch_taken(items[-1].ticket)
        try:
            positions = await self._store.append(
                [PendingUpdate(item.document, item.update) for item in batch]
            )
        except Exception as exc:
            self.stats.failures += 1
            documents = sorted({item.document for item in batch})
            log.error("commit_failed", documents=documents, updates=len(batch), error=repr(exc))
            for items in groups.values():
                items[0].listener.commit_failed(exc)
            return
        now = time.monotonic()
        self.stats.commits += 1
        self.stats.updates += len(batch)
        if self._observe_latency is not None:
            # The oldest update of the batch waited longest: that is the latency to report.
            self._observe_latency(now - batch[0].submitted_at)
        position_of = {id(item): position for item, position in zip(batch, positions, strict=True)}
        for items in groups.values():
            last = items[-1]
            try:
                last.listener.committed(last.ticket, [position_of[id(item)] for item in items])
            except Exception as exc:
                # A bug in one room must not stop the commits of every other room.
                log.exception("commit_listener_failed", document=last.document)
                last.listener.commit_failed(exc)
