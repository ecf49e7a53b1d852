"""The token bucket behind every rate limit."""

from __future__ import annotations

from collab.limits import TokenBucket


def test_burst_then_sustained_rate() -> None:
    bucket = TokenBucket(rate=10, burst=5, now=0.0)
    assert [bucket.take(0.0) for _ in range(6)] == [True] * 5 + [False]
    assert bucket.take(0.1)
    assert not bucket.take(0.1)
    assert [bucket.take(1.1) for _ in range(6)] == [True] * 5 + [False]


def test_amounts_and_cap() -> None:
    bucket = TokenBucket(rate=100, burst=1000, now=0.0)
    assert bucket.take(0.0, 1000)
    assert not bucket.take(0.0, 1)
    assert not bucket.take(100.0, 1001)
    assert bucket.take(100.0, 1000)
