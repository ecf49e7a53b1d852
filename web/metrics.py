"""`/metrics` in the Prometheus text format.

The hot path keeps plain integer counters (`collab.stats`); this collector reads them at scrape
time, so serving metrics costs nothing per message. Each app has its own registry, so several
apps in one process (tests) do not share series.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from collab.hub import CollabHub

COMMIT_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0)


class HubCollector(Collector):
    """Reads the hub's counters on each scrape."""

    def __init__(self, hub: CollabHub) -> None:
        self._hub = hub

    def collect(self) -> Iterator[Metric]:
        hub = self._hub
        stats, commits = hub.stats, hub.committer.stats
        yield GaugeMetricFamily(
            "verstas_connections", "Open collaboration websockets.", stats.connections_open
        )
        yield GaugeMetricFamily(
            "verstas_documents_loaded", "Documents loaded in this process.", len(hub.rooms)
        )
        yield GaugeMetricFamily(
            "verstas_bus_healthy",
            "1 while the fan-out bus carries messages; 0 when degraded (Redis unreachable).",
            1 if hub.bus.healthy else 0,
        )
        bus = hub.bus.stats
        for name, doc, value in (
            ("connections", "Websockets accepted.", stats.connections_total),
            ("messages_received", "Messages received from peers.", stats.messages_in),
            ("received_bytes", "Bytes received on collaboration sockets.", stats.bytes_in),
            ("frames_sent", "Frames written to peers.", stats.frames_out),
            ("sent_bytes", "Bytes written to peers.", stats.bytes_out),
            ("updates_applied", "Updates accepted from peers.", stats.updates_applied),
            ("duplicate_updates", "Updates that repeated known ones (dropped).", stats.duplicates),
            ("commits", "Group-commit transactions.", commits.commits),
            ("committed_updates", "Updates committed to the log.", commits.updates),
            ("commit_failures", "Group commits that failed.", commits.failures),
            ("remote_updates", "Updates committed by other processes.", stats.updates_remote),
            ("bus_published", "Messages published to other processes.", bus.published),
            ("bus_received", "Messages received from other processes.", bus.received),
            ("bus_dropped", "Messages not published (bus down); receivers catch up.", bus.dropped),
            ("bus_invalid", "Bus messages no Verstas process wrote.", bus.invalid),
            ("bus_outages", "Times the bus connection was lost.", bus.outages),
            ("bus_resyncs", "Catch-ups of every loaded document after an outage.", bus.resyncs),
        ):
            yield CounterMetricFamily(f"verstas_{name}", doc, value=value)
        refused = CounterMetricFamily(
            "verstas_refused", "Messages and connections refused, by reason.", labels=["reason"]
        )
        for reason, count in sorted(stats.refused.items()):
            refused.add_metric([reason], count)
        yield refused


def metrics_registry() -> tuple[CollectorRegistry, Histogram]:
    """A registry and the commit-latency histogram the committer reports into."""
    registry = CollectorRegistry(auto_describe=True)
    histogram = Histogram(
        "verstas_commit_latency_seconds",
        "From an update's arrival to its commit (oldest update of each group commit).",
        buckets=COMMIT_BUCKETS,
        registry=registry,
    )
    return registry, histogram
