"""Recent answers of a lookup, reused for a few seconds, with one query in flight per key.

Why: admitting a websocket asks for the same workshop row for every connection, and each
lookup through SQLAlchemy and aiosqlite costs about 2 ms of CPU, which made connecting 10,000
clients take 20 s. Clients arrive in crowds per document (a class opening one workshop), so
concurrent lookups of one key share a single query, and an answer is reused until it is
`ttl` seconds old (counted from when its query started).

Whoever changes the rows in this process calls `forget`, which also detaches a query already
in flight, so nobody is ever answered from before a change made here. Changes made by other
processes (other nodes, the CLI) are seen once the answer expires.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class RecentLookups(Generic[K, V]):
    """A bounded cache in front of `lookup`; the oldest answers make room for new ones."""

    def __init__(
        self, lookup: Callable[[K], Awaitable[V]], *, ttl: float, max_entries: int
    ) -> None:
        self._lookup = lookup
        self._ttl = ttl
        self._max_entries = max_entries
        self._answers: dict[K, tuple[float, V]] = {}  # key -> (expires at, answer)
        self._in_flight: dict[K, asyncio.Future[V]] = {}

    async def get(self, key: K) -> V:
        now = time.monotonic()
        answer = self._answers.get(key)
        if answer is not None:
            if answer[0] > now:
                return answer[1]
            del self._answers[key]
        query = self._in_flight.get(key)
        if query is None:
            query = asyncio.ensure_future(self._lookup(key))
            self._in_flight[key] = query
            query.add_done_callback(lambda done: self._settle(key, now, done))
        # One caller giving up must not cancel the query the others wait for.
        return await asyncio.shield(query)

    def _settle(self, key: K, started: float, query: asyncio.Future[V]) -> None:
        if query.cancelled() or query.exception() is not None:
            # A failure is never kept (and is marked retrieved even if every caller left).
            if self._in_flight.get(key) is query:
                del self._in_flight[key]
            return
        if self._in_flight.get(key) is not query:
            return  # forgotten while it ran: its answer may predate the change
        del self._in_flight[key]
        answers = self._answers
        answers[key] = (started + self._ttl, query.result())
        # Insertion order is expiry order (one ttl for all): the first entries go first.
        while len(answers) > self._max_entries:
            del answers[next(iter(answers))]

    def forget(self, key: K) -> None:
        """The rows behind `key` changed: the next get asks again."""
        self._answers.pop(key, None)
        self._in_flight.pop(key, None)

    def clear(self) -> None:
        self._answers.clear()
        self._in_flight.clear()
