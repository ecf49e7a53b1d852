"""The growth bench's figures as one PNG, drawn with matplotlib when it is installed.

Why optional: matplotlib is not one of the project's packages (nothing else needs it), so it is
imported only when a plot is asked for, and its absence is said before anything is measured.
The PNG is for people to look at; it is never committed.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.bench.growth_store import LoadRow, sync_summary
from tests.bench.scenarios import CapacityResult


@dataclass(frozen=True, slots=True)
class PeersPoint:
    """One room size and server of the peers scenario: medians over its repetitions."""

    clients: int
    server: str
    p50_ms: float | None
    p99_ms: float | None
    us_per_delivery: float | None
    runs: int


def matplotlib_missing() -> str | None:
    """Why no plot can be drawn, or None when matplotlib is importable."""
    if importlib.util.find_spec("matplotlib") is not None:
        return None
    return (
        "--plot needs matplotlib, which is not one of the project's packages: install it into "
        "the venv yourself (.venv/bin/pip install matplotlib) or leave out --plot"
    )


def plot(
    path: Path,
    loads: Sequence[LoadRow],
    memory: Sequence[CapacityResult],
    peers: Sequence[PeersPoint],
) -> None:
    """Three panels, each drawn when its part ran: load time, memory, latency."""
    # Imported by name: optional (see the module's docstring), and without stubs to check.
    importlib.import_module("matplotlib").use("Agg")  # a file, no display
    plt = importlib.import_module("matplotlib.pyplot")

    figure, (load_axes, memory_axes, peers_axes) = plt.subplots(1, 3, figsize=(15, 4.5))
    if loads:
        entries = [row.entries for row in loads]
        tail = [sync_summary(row.tail)[0] for row in loads]
        checkpointed = [sync_summary(row.checkpointed)[0] for row in loads]
        load_axes.plot(entries, tail, marker="o", label="checkpoint + tail (kill -9)")
        load_axes.plot(entries, checkpointed, marker="o", label="checkpoint only (SIGTERM)")
        load_axes.set(
            xscale="log",
            yscale="log",
            xlabel="logged updates",
            ylabel="cold sync ms (median)",
            title="Load time against log length",
        )
        load_axes.legend()
    if memory:
        documents = [r.clients for r in memory]
        # What the documents added to the idle server: linear growth is a slope of 1.
        grown = [r.rounds[0].rss_connected_mib - r.rss_before_mib for r in memory]
        memory_axes.plot(documents, grown, marker="o")
        memory_axes.set(
            xscale="log",
            yscale="log",
            xlabel="documents loaded (one client each)",
            ylabel="server RSS above idle, MiB",
            title="Memory against loaded documents",
        )
    for index, server in enumerate(sorted({p.server for p in peers})):
        mine = [p for p in peers if p.server == server]
        sizes = [p.clients for p in mine]
        colour = f"C{index}"  # one colour per server, its p99 dashed
        peers_axes.plot(sizes, [p.p50_ms for p in mine], "o-", color=colour, label=f"{server} p50")
        peers_axes.plot(sizes, [p.p99_ms for p in mine], "s--", color=colour, label=f"{server} p99")
    if peers:
        peers_axes.set(
            xscale="log",
            yscale="log",
            xlabel="clients in the room",
            ylabel="receive latency ms",
            title="Latency against peers per room",
        )
        peers_axes.legend()
    for axes, drawn in ((load_axes, loads), (memory_axes, memory), (peers_axes, peers)):
        if not drawn:
            axes.set_axis_off()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    print(f"plot written to {path}", flush=True)
