"""The session's shared timer, on the server's clock.

A running timer is stored as the instant it ends (`ends_at`, seconds since the epoch on the
server's clock), a paused one as the time it had left. Nobody stores a remaining time that
ticks: every participant computes `ends_at - now` with `now` read from its own clock corrected
by its offset from the server's, so late joiners and clients with a wrong clock all see the
same time. Times are floats of seconds; the session document carries them in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_SECONDS = 24 * 3600.0


class TimerError(ValueError):
    """An action the timer's state does not allow (pause a paused timer, say)."""


@dataclass(frozen=True, slots=True)
class Timer:
    """`duration` is what was started plus what was added since (for display: a progress bar);
    `ends_at` is set while running (`remaining` is 0 then), `remaining` while paused."""

    duration: float
    running: bool
    ends_at: float | None
    remaining: float

    @classmethod
    def started(cls, now: float, seconds: float) -> Timer:
        _check_seconds(seconds, positive=True)
        return cls(duration=seconds, running=True, ends_at=now + seconds, remaining=0.0)

    def left(self, now: float) -> float:
        """Seconds left at `now`, never below zero."""
        if self.running and self.ends_at is not None:
            return max(0.0, self.ends_at - now)
        return self.remaining

    def paused(self, now: float) -> Timer:
        if not self.running:
            raise TimerError("the timer is not running")
        return Timer(self.duration, running=False, ends_at=None, remaining=self.left(now))

    def resumed(self, now: float) -> Timer:
        if self.running:
            raise TimerError("the timer is already running")
        if self.remaining <= 0:
            raise TimerError("the time is up: start the timer again or add time")
        return Timer(self.duration, running=True, ends_at=now + self.remaining, remaining=0.0)

    def added(self, now: float, seconds: float) -> Timer:
        """More time (or less, with negative seconds, never below zero left). Time added to a
        timer that ran out counts from now."""
        _check_seconds(seconds, positive=False)
        left = max(0.0, self.left(now) + seconds)
        duration = max(0.0, self.duration + seconds)
        if self.running:
            return Timer(duration, running=True, ends_at=now + left, remaining=0.0)
        return Timer(duration, running=False, ends_at=None, remaining=left)

    def to_json(self) -> dict[str, Any]:
        return {
            "duration": self.duration,
            "running": self.running,
            "ends_at": self.ends_at,
            "remaining": self.remaining,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Timer:
        ends_at = data["ends_at"]
        return cls(
            duration=float(data["duration"]),
            running=bool(data["running"]),
            ends_at=None if ends_at is None else float(ends_at),
            remaining=float(data["remaining"]),
        )


def _check_seconds(seconds: float, *, positive: bool) -> None:
    lowest = 0.0 if positive else -MAX_SECONDS
    if seconds == 0 or not lowest < seconds <= MAX_SECONDS:
        kind = "positive" if positive else "non-zero"
        raise TimerError(f"{seconds} seconds: a timer takes a {kind} time of at most a day")
