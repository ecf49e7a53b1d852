"""Bounds that keep one client from costing the server unbounded memory, CPU or bandwidth.

Everything here is pure: the token bucket takes the time as an argument, so the rules are
tested without clocks or sockets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Every configurable limit, with defaults that a real editing session stays far below."""

    max_message_bytes: int = 2 * 1024 * 1024
    max_document_bytes: int = 20 * 1024 * 1024
    # Structs in one update larger than `struct_check_bytes`: pycrdt's apply grows quadratically
    # with a chain of unmerged one-character structs (yjs never sends one; 40,000 cost 0.9 GB).
    max_update_structs: int = 20_000
    struct_check_bytes: int = 64 * 1024
    max_stalled_bytes: int = 1024 * 1024  # updates waiting for dependencies, per document
    max_buffered_bytes: int = 16 * 1024 * 1024  # unsent bytes to one slow peer
    messages_per_second: float = 200.0
    message_burst: float = 1000.0
    bytes_per_second: float = 1024 * 1024
    byte_burst: float = 8 * 1024 * 1024
    step1_per_second: float = 2.0
    step1_burst: float = 5.0
    awareness_per_second: float = 30.0
    awareness_burst: float = 60.0
    max_awareness_bytes: int = 8 * 1024
    max_awareness_ids: int = 4  # client ids one connection may speak for
    handshake_timeout: float = 10.0  # upgrade to first y-protocols message
    idle_timeout: float = 60.0  # nothing received, not even a pong
    max_connections: int = 20_000
    max_connections_per_ip: int = 1_000
    close_timeout: float = 5.0


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved up; starts full."""

    __slots__ = ("_burst", "_rate", "_tokens", "_updated")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self._rate = rate
        self._burst = burst
        self._tokens = burst
        self._updated = now

    def take(self, now: float, amount: float = 1.0) -> bool:
        """Spend `amount` tokens if there are enough; refill first by the time elapsed."""
        tokens = self._tokens + (now - self._updated) * self._rate
        self._tokens = tokens if tokens < self._burst else self._burst
        self._updated = now
        if self._tokens >= amount:
            self._tokens -= amount
            return True
        return False


class SizeBound:
    """A document's size against `max_document_bytes`, encoding its state only when the cheap
    upper bound (the last exact measure plus every update applied since) may pass the limit."""

    __slots__ = ("_limit", "_measured", "_unmeasured")

    def __init__(self, limit: int, loaded_bytes: int) -> None:
        self._limit = limit
        self._measured = 0
        self._unmeasured = loaded_bytes

    def grew(self, update: bytes) -> None:
        self._unmeasured += len(update)

    def would_pass(self, incoming: int, measure: Callable[[], int]) -> bool:
        if self._measured + self._unmeasured + incoming <= self._limit:
            return False
        if self._unmeasured:
            self._measured = measure()
            self._unmeasured = 0
        return self._measured + incoming > self._limit
