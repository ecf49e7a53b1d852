"""Update rates from sampled counters: what operators read as 'per second over the last minute'."""

from __future__ import annotations

import pytest

from collab.activity import RATE_SAMPLES, RATE_WINDOW, RoomActivity, per_second


def test_no_sample_yet_means_no_rate() -> None:
    assert per_second([], now=100.0, current=7) is None


def test_a_sample_taken_this_instant_spans_no_time() -> None:
    assert per_second([(100.0, 3)], now=100.0, current=7) is None


def test_rate_runs_from_the_oldest_sample_in_the_window_to_now() -> None:
    samples = [(0.0, 0), (5.0, 10), (10.0, 40)]
    assert per_second(samples, now=20.0, current=100) == pytest.approx(100 / 20)


def test_samples_older_than_the_window_are_left_out() -> None:
    samples = [(0.0, 0), (30.0, 1000), (60.0, 1030), (90.0, 1060)]
    # At t=100 the window starts at 40: the base is the sample at 60, not the burst before it.
    assert per_second(samples, now=100.0, current=1070) == pytest.approx(40 / 40)


def test_a_stalled_sampler_falls_back_to_the_newest_sample() -> None:
    samples = [(0.0, 0), (5.0, 50)]
    assert per_second(samples, now=5.0 + RATE_WINDOW + 10, current=50 + 140) == pytest.approx(
        140 / (RATE_WINDOW + 10)
    )


def test_room_activity_rates_received_and_relayed_separately() -> None:
    activity = RoomActivity()
    activity.sample(0.0)
    activity.received += 30
    activity.relayed += 90
    activity.sample(5.0)
    activity.received += 30
    activity.relayed += 90
    assert activity.rates(10.0) == pytest.approx((6.0, 18.0))


def test_the_ring_keeps_only_the_latest_samples() -> None:
    activity = RoomActivity()
    for second in range(RATE_SAMPLES * 2):
        activity.received = second * 2
        activity.sample(float(second))
    assert len(activity.samples) == RATE_SAMPLES
    assert activity.samples[0].at == RATE_SAMPLES
    # The base is the oldest kept sample; the counter grew by two a second up to the last one.
    oldest, last = RATE_SAMPLES, RATE_SAMPLES * 2 - 1
    expected = (last * 2 - oldest * 2) / (RATE_SAMPLES * 2 - oldest)
    assert activity.rates(float(RATE_SAMPLES * 2)) == pytest.approx((expected, 0.0))
