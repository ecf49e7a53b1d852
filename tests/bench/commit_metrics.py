"""Verstas' group-commit figures over one phase, read from its own `/metrics`.

Why from the server: commit latency (an update's arrival to its commit) and updates per commit
are inside the server, invisible to the generator. The counters and the latency histogram are
read before and after a phase; the difference covers that phase only. Quantiles are estimated
from the histogram's buckets with linear interpolation inside a bucket, as Prometheus'
`histogram_quantile` does, so they are only as fine as the buckets (see web/metrics.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families

_LATENCY = "verstas_commit_latency_seconds"
_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class CommitReading:
    """Cumulative counts at one moment: histogram buckets as (upper bound s, count)."""

    buckets: tuple[tuple[float, float], ...]
    commits: float
    updates: float


@dataclass(frozen=True, slots=True)
class CommitFigures:
    """Between two readings. A quantile past the last finite bucket is reported as that bound."""

    commits: int
    updates_per_commit: float | None
    latency_p50_ms: float | None
    latency_p99_ms: float | None


async def read_commits(port: int, host: str = "127.0.0.1") -> CommitReading:
    async with httpx.AsyncClient(timeout=_TIMEOUT_S) as client:
        response = await client.get(f"http://{host}:{port}/metrics")
    response.raise_for_status()
    buckets: list[tuple[float, float]] = []
    counters: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == f"{_LATENCY}_bucket":
                buckets.append((float(sample.labels["le"]), sample.value))
            elif sample.name in ("verstas_commits_total", "verstas_committed_updates_total"):
                counters[sample.name] = sample.value
    return CommitReading(
        tuple(sorted(buckets)),
        counters.get("verstas_commits_total", 0.0),
        counters.get("verstas_committed_updates_total", 0.0),
    )


def _quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    total = buckets[-1][1] if buckets else 0.0
    if total <= 0:
        return None
    rank = q * total
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if math.isinf(bound):
                return lower_bound
            share = (rank - lower_count) / (count - lower_count) if count > lower_count else 1.0
            return lower_bound + (bound - lower_bound) * share
        lower_bound, lower_count = bound, count
    return lower_bound


def commit_figures(before: CommitReading, after: CommitReading) -> CommitFigures:
    earlier = dict(before.buckets)
    buckets = [(bound, count - earlier.get(bound, 0.0)) for bound, count in after.buckets]
    commits = after.commits - before.commits
    updates = after.updates - before.updates
    p50, p99 = _quantile(0.5, buckets), _quantile(0.99, buckets)
    return CommitFigures(
        commits=int(commits),
        updates_per_commit=updates / commits if commits else None,
        latency_p50_ms=None if p50 is None else p50 * 1000,
        latency_p99_ms=None if p99 is None else p99 * 1000,
    )
