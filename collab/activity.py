"""What a room has been doing, for operators: plain counters on the hot path, rates at read time.

A room bumps integers and stamps times as it works; nothing here takes a lock, allocates or
computes on a message. The hub's periodic loop appends one sample of the counters to a short
ring; a report turns the ring into rates only when someone asks for it.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field

RATE_WINDOW = 60.0
# At the hub's default five-second period, sixteen samples reach back past the rate window.
RATE_SAMPLES = 16


@dataclass(frozen=True, slots=True)
class Sample:
    """The counters as they stood at `at` (monotonic seconds)."""

    at: float
    received: int
    relayed: int


@dataclass(slots=True)
class RoomActivity:
    """One room's counters since it was loaded.

    `received` counts updates accepted from peers; `relayed` counts update messages written to
    peers after their commit, one per recipient. Times are wall-clock seconds; the checkpoint
    time is known only for checkpoints this process wrote since loading the room.
    """

    received: int = 0
    relayed: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    last_commit_at: float | None = None
    checkpoint_position: int | None = None
    checkpoint_at: float | None = None
    samples: deque[Sample] = field(default_factory=lambda: deque(maxlen=RATE_SAMPLES))

    def sample(self, now: float) -> None:
        self.samples.append(Sample(now, self.received, self.relayed))

    def rates(self, now: float) -> tuple[float | None, float | None]:
        """Updates received and relayed per second over the last minute, as of `now`."""
        samples = list(self.samples)
        return (
            per_second([(s.at, s.received) for s in samples], now, self.received),
            per_second([(s.at, s.relayed) for s in samples], now, self.relayed),
        )


def per_second(
    samples: Sequence[tuple[float, int]], now: float, current: int, window: float = RATE_WINDOW
) -> float | None:
    """The counter's rate from the oldest sample within `window` of `now` up to `current`.

    When every sample is older than the window (the sampling loop stalled), the newest one is
    the base, so the rate still covers the recent past rather than nothing. None when there is
    no sample yet, or none strictly before `now`: a rate needs a span of time.
    """
    base = next(((at, count) for at, count in samples if now - at <= window), None)
    if base is None and samples:
        base = samples[-1]
    if base is None or now <= base[0]:
        return None
    return (current - base[1]) / (now - base[0])
