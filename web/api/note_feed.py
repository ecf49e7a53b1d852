"""The facilitators' live feed of hidden notes: a long poll on the session's notes version.

Why a long poll (`GET .../sessions/{sid}/notes?after=VERSION`), not a shared document and not
server-sent events: hidden notes must never enter a document other participants' clients
receive, so they cannot ride on Yjs; the answer is the plain JSON list of notes that the
request without `after` gives (one schema, `note-list.response`), so edits and withdrawals
need no event vocabulary of their own; it passes any proxy that passes HTTP (SSE needs
buffering turned off on the way); and a client that lost its connection simply asks again
with the version it has.

How it stays within a second: every note change bumps the session's `notes_version` in the
same transaction. A change made through this process wakes its waiters at once; waiters also
read the version from the database every `POLL_SECONDS`, which is how a change made through
another server process reaches them. When the server begins shutting down (`drain`), every
waiter answers at once, so no held request delays the shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Final

POLL_SECONDS: Final = 0.5


class NoteFeed:
    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}
        self._draining = False

    def changed(self, session_id: str) -> None:
        """A note of this session changed through this process: wake its waiters."""
        event = self._events.pop(session_id, None)
        if event is not None:
            event.set()

    def drain(self) -> None:
        """Shutdown began: every waiter answers now, and no new one waits."""
        self._draining = True
        for event in self._events.values():
            event.set()
        self._events.clear()

    async def wait(
        self,
        session_id: str,
        after: int,
        version: Callable[[], Awaitable[int]],
        timeout: float,
    ) -> None:
        """Return once the notes version is no longer `after`, or after `timeout` seconds.

        The event is taken before the version is read, so a change committed after the read
        sets an event this waiter holds: it cannot fall between the two.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._draining:
            event = self._events.setdefault(session_id, asyncio.Event())
            if await version() != after:
                return
            left = deadline - loop.time()
            if left <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(POLL_SECONDS, left))
