"""The committer's load estimate: it must notice sustained load, and notice it again after a lull.

It once started at infinity, which no smoothing ever brings down: the window never applied.
"""

from __future__ import annotations

from collab.group_commit import ArrivalGap


def observe_every(gap: ArrivalGap, start: float, step: float, count: int) -> float:
    now = start
    for _ in range(count):
        gap.observe(now)
        now += step
    return now


def test_updates_half_a_millisecond_apart_count_as_sustained_load() -> None:
    gap = ArrivalGap()

    observe_every(gap, 0.0, 0.0005, 30)

    assert gap.seconds < 0.002


def test_updates_ten_milliseconds_apart_count_as_sparse() -> None:
    gap = ArrivalGap()

    observe_every(gap, 0.0, 0.010, 30)

    assert gap.seconds > 0.002


def test_a_burst_after_an_hour_of_silence_is_recognised_within_a_few_updates() -> None:
    gap = ArrivalGap()
    later = observe_every(gap, 0.0, 0.0005, 30)

    observe_every(gap, later + 3600.0, 0.0005, 20)

    assert gap.seconds < 0.002
