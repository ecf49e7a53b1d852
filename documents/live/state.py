"""A live session's steering state, and what the facilitator's actions do to it.

The agenda is a list of phases, each naming the part of the workshop it works on (targets, see
`targets`) and whether participants write hidden notes during it. The state moves between
phases in any order (the innovation model has none), records when each phase was entered and
left, holds the facilitator's focus, the shared timer and the locked targets. Every method
returns a new state; nothing here reads a clock (the caller passes `now`, server time in
seconds since the epoch) or stores anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from documents.live.targets import check_target
from documents.live.timer import Timer, TimerError

TimerAction = Literal["start", "pause", "resume", "add"]
MAX_LOCKS: Final = 200


class InvalidPhase(ValueError):
    """A phase index outside the agenda."""


class TooManyLocks(ValueError):
    """More locked targets than one session holds."""


@dataclass(frozen=True, slots=True)
class Phase:
    title: str
    targets: tuple[str, ...]
    notes: bool = True  # participants write hidden notes during this phase

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "targets": list(self.targets), "notes": self.notes}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Phase:
        """A phase as the API or the database gives it; its targets are checked."""
        targets = tuple(check_target(target) for target in data["targets"])
        return cls(str(data["title"]), targets, bool(data.get("notes", True)))


# The innovation model's three task groups (see ../shared/DOMAIN.md), each on its part.
DEFAULT_AGENDA: Final = (
    Phase("Ideoi", ("path/needs", "path/goals")),
    Phase("Kehitä", ("matrix",)),
    Phase("Toteuta", ("evaluation",)),
)


@dataclass(frozen=True, slots=True)
class Period:
    """One stretch of time spent in a phase (a phase may be returned to)."""

    phase: int
    started_at: float
    ended_at: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"phase": self.phase, "started_at": self.started_at, "ended_at": self.ended_at}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Period:
        ended = data["ended_at"]
        return cls(
            int(data["phase"]), float(data["started_at"]), None if ended is None else float(ended)
        )


@dataclass(frozen=True, slots=True)
class SessionState:
    phases: tuple[Phase, ...]
    phase: int
    periods: tuple[Period, ...]
    focus: str | None = None
    timer: Timer | None = None
    locks: tuple[str, ...] = ()  # sorted, each once

    @classmethod
    def begun(cls, phases: Iterable[Phase], now: float) -> SessionState:
        agenda = tuple(phases) or DEFAULT_AGENDA
        return cls(agenda, 0, (Period(0, now),))

    @property
    def current(self) -> Phase:
        return self.phases[self.phase]

    def go_to(self, index: int, now: float) -> SessionState:
        """Move to a phase (forward or back); staying where one is changes nothing."""
        if not 0 <= index < len(self.phases):
            raise InvalidPhase(f"phase {index} is not on the agenda (0 to {len(self.phases) - 1})")
        if index == self.phase:
            return self
        periods = (*self._closed_periods(now), Period(index, now))
        return replace(self, phase=index, periods=periods)

    def focused(self, target: str | None) -> SessionState:
        """Where "follow me" takes everyone; None lets everyone roam."""
        return replace(self, focus=None if target is None else check_target(target))

    def timed(self, action: TimerAction, seconds: float | None, now: float) -> SessionState:
        """Start (with a duration), pause, resume or add time (seconds, negative to take some
        away); TimerError when the timer's state does not allow the action."""
        timer = self.timer
        if action == "start":
            if seconds is None:
                raise TimerError("starting the timer needs seconds")
            return replace(self, timer=Timer.started(now, seconds))
        if timer is None:
            raise TimerError("the timer has not been started")
        if action == "pause":
            return replace(self, timer=timer.paused(now))
        if action == "resume":
            return replace(self, timer=timer.resumed(now))
        if seconds is None:
            raise TimerError("adding time needs seconds")
        return replace(self, timer=timer.added(now, seconds))

    def locked(self, targets: Iterable[str], locked: bool) -> SessionState:
        """Lock or unlock targets; others keep their state."""
        changed = {check_target(target) for target in targets}
        locks = set(self.locks) | changed if locked else set(self.locks) - changed
        if len(locks) > MAX_LOCKS:
            raise TooManyLocks(f"at most {MAX_LOCKS} targets may be locked at once")
        return replace(self, locks=tuple(sorted(locks)))

    def ended(self, now: float) -> SessionState:
        """The state a session is left in: its last period closed, the timer stopped, every
        lock released."""
        timer = self.timer.paused(now) if self.timer and self.timer.running else self.timer
        return replace(self, periods=self._closed_periods(now), timer=timer, locks=())

    def _closed_periods(self, now: float) -> tuple[Period, ...]:
        return tuple(
            period if period.ended_at is not None else replace(period, ended_at=now)
            for period in self.periods
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "phases": [phase.to_json() for phase in self.phases],
            "phase": self.phase,
            "periods": [period.to_json() for period in self.periods],
            "focus": self.focus,
            "timer": None if self.timer is None else self.timer.to_json(),
            "locks": list(self.locks),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionState:
        timer = data["timer"]
        return cls(
            phases=tuple(Phase.from_json(phase) for phase in data["phases"]),
            phase=int(data["phase"]),
            periods=tuple(Period.from_json(period) for period in data["periods"]),
            focus=data["focus"],
            timer=None if timer is None else Timer.from_json(timer),
            locks=tuple(data["locks"]),
        )
