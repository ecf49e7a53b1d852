"""How Verstas' costs grow with size: load time against log length, memory against loaded
documents, latency against peers per room, the cost of an update against the clients its
document has seen.

Usage (see tests/bench/README.md, "Growth"):

    .venv/bin/python -m tests.bench.growth_bench [--parts load,memory,clients] [--quick]
        [--log-sizes 1000,10000,100000,1000000] [--documents 100,1000,10000]
        [--clients 10,100,1000,10000]
        [--doc-updates 100] [--samples 3] [--peers-json PATH] [--plot PATH]

Load time: one document per size, its log filled through the store (tests/bench/growth_store.py),
timed from a fresh client's socket to the server's sync step 2 after restarts. Memory: the
capacity scenario with one client per document, each document stored beforehand with content.
Latency against peers: read from the peers scenario's JSON (`tests.bench.run --scenario peers
--json PATH`), not measured again. Clients seen: in-process (tests/bench/growth_clients.py). It
prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.bench.coldload import (
    ColdSync,
)
from tests.bench.growth_clients import clients_table, measure_clients
from tests.bench.growth_plot import PeersPoint, matplotlib_missing, plot
from tests.bench.growth_store import (
    TAIL_ENTRIES,
    LoadRow,
    measure_load,
    store_documents,
    sync_summary,
    typed_updates,
)
from tests.bench.report import DISTURBED_PCT, NOTES, table
from tests.bench.run import QUIET_MAX_WAIT_S, QUIET_PCT, progress, raise_file_limit
from tests.bench.scenarios import (
    CAPACITY_ROOM_PREFIX,
    CapacityParams,
    CapacityResult,
    run_capacity,
)
from tests.bench.servers import BenchServer, ServerKind, wait_for_quiet

PARTS = ("load", "memory", "clients")


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(size.replace("_", "")) for size in text.split(","))


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _syncs(syncs: Sequence[ColdSync]) -> tuple[str, str]:
    """The replayed entries (all samples alike, or every value) and 'median (min-max)' ms."""
    replayed = sorted({"?" if s.replayed is None else f"{s.replayed:,}" for s in syncs})
    median, low, high = sync_summary(syncs)
    failed = [s.error for s in syncs if s.sync_ms is None]
    incomplete = sum(1 for s in syncs if s.sync_ms is not None and not s.complete)
    timing = f"{_ms(median)} ({_ms(low)}-{_ms(high)})"
    if incomplete:
        timing += f" {incomplete} INCOMPLETE"
    if failed:
        timing += f" FAILED x{len(failed)}: {failed[0]}"
    return " / ".join(replayed), timing


def load_table(rows: Sequence[LoadRow], samples: int) -> str:
    headers = [
        "log entries", "populate s", "DB MiB", "state MiB", "tail replayed",
        f"tail sync ms, median (min-max) of {samples}", "SIGTERM replayed",
        "SIGTERM sync ms, median (min-max)", "machine busy %",
    ]  # fmt: skip
    body = []
    for row in rows:
        tail_replayed, tail_ms = _syncs(row.tail)
        clean_replayed, clean_ms = _syncs(row.checkpointed)
        busy = f"{row.machine_busy_pct:.0f}{'!' if row.machine_busy_pct > DISTURBED_PCT else ''}"
        body.append(
            [
                f"{row.entries:,}",
                f"{row.populate_s:.1f}",
                f"{row.database_mib:,.1f}",
                f"{row.state_mib:,.2f}",
                tail_replayed,
                tail_ms,
                clean_replayed,
                clean_ms,
                busy,
            ]
        )
    return table(
        "LOAD TIME against log length (a fresh client after a restart: socket creation to sync "
        f"step 2; tail = the checkpoint before the last {TAIL_ENTRIES} entries and those "
        "entries, as kill -9 leaves a room at the policy's bound)",
        headers,
        body,
    )


def memory_table(results: Sequence[CapacityResult], state_bytes: int) -> str:
    headers = [
        "documents", "state KiB each", "RSS before MiB", "RSS loaded MiB", "KiB/document",
        "connect s", "p50 ms", "p99 ms", "srv CPU us/doc", "gen CPU %", "other CPU %",
        "failures",
    ]  # fmt: skip
    body = []
    for r in results:
        held = r.rounds[0]
        body.append(
            [
                f"{r.clients:,}",
                f"{state_bytes / 1024:,.1f}",
                f"{r.rss_before_mib:,.1f}",
                f"{held.rss_connected_mib:,.1f}",
                f"{r.rss_per_connection_kib:,.1f}",
                f"{held.connect_total_s:,.2f}",
                _ms(held.connect_ms.get("p50")),
                _ms(held.connect_ms.get("p99")),
                f"{held.server_cpu_us_per_connection or 0:,.0f}",
                f"{held.loadgen_cpu_pct:.0f}",
                f"{held.other_cpu_pct:.0f}{'!' if held.other_cpu_pct > DISTURBED_PCT else ''}",
                "; ".join(held.failures) or "0",
            ]
        )
    return table(
        "MEMORY against loaded documents (each held by one connected client; KiB/document "
        "includes its connection)",
        headers,
        body,
    )


def peers_points(path: Path) -> list[PeersPoint]:
    """Latency and CPU per room size and server from the peers scenario's JSON, as medians
    over its repetitions."""
    runs: list[dict[str, Any]] = json.loads(path.read_text())["peers"]
    grouped: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for run in runs:
        grouped.setdefault((run["clients"], run["server"]), []).append(run)
    return [
        PeersPoint(
            clients=clients,
            server=server,
            p50_ms=_median([r["latency_ms"]["p50"] for r in group]),
            p99_ms=_median([r["latency_ms"]["p99"] for r in group]),
            us_per_delivery=_median([r["server_cpu_us_per_delivery"] for r in group]),
            runs=len(group),
        )
        for (clients, server), group in sorted(grouped.items())
    ]


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def peers_growth_table(points: Sequence[PeersPoint]) -> str:
    headers = ["clients", "server", "runs", "p50 ms", "p99 ms", "us/deliv"]
    body = [
        [
            str(p.clients),
            p.server,
            str(p.runs),
            _ms(p.p50_ms),
            _ms(p.p99_ms),
            "-" if p.us_per_delivery is None else f"{p.us_per_delivery:,.1f}",
        ]
        for p in points
    ]
    return table(
        "LATENCY against peers per room (one room, the same total rate; medians over the peers "
        "scenario's repetitions)",
        headers,
        body,
    )


async def _quiet(label: str) -> float:
    busy = await wait_for_quiet(QUIET_PCT, QUIET_MAX_WAIT_S)
    note = f" (machine still {busy:.0f}% busy after {QUIET_MAX_WAIT_S:.0f} s)"
    progress(label + (note if busy >= QUIET_PCT else ""))
    return busy


async def _run(args: argparse.Namespace, workdir: Path) -> None:
    """Each part in turn, each size on a fresh server and database; SIGINT and SIGTERM cancel
    the run, so that every server and generator started is stopped on the way out."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    loads: list[LoadRow] = []
    memory: list[CapacityResult] = []
    if "load" in args.parts:
        progress(f"generating {max(args.log_sizes):,} typed updates")
        typed = await typed_updates(max(args.log_sizes), workdir)
        for entries in args.log_sizes:
            busy = await _quiet(f"load: {entries:,} log entries")
            where = workdir / f"load-{entries}"
            where.mkdir()
            loads.append(await measure_load(typed, entries, args.samples, busy, where))
        del typed
        print(load_table(loads, args.samples) + "\n", flush=True)
    state_bytes = 0
    if "memory" in args.parts:
        content = await typed_updates(args.doc_updates, workdir)
        for documents in args.documents:
            where = workdir / f"memory-{documents}"
            where.mkdir()
            progress(f"memory: storing {documents:,} documents")
            names = [f"{CAPACITY_ROOM_PREFIX}{i}" for i in range(documents)]
            url = BenchServer(ServerKind.VERSTAS, where).database_url
            state_bytes = await store_documents(url, names, content)
            await _quiet(f"memory: {documents:,} documents")
            held = CapacityParams(clients=documents, rooms=documents, rounds=1, settle_s=1.0)
            memory.append(await run_capacity(ServerKind.VERSTAS, held, 1, where))
        print(memory_table(memory, state_bytes) + "\n", flush=True)
    if "clients" in args.parts:
        await _quiet("clients: the cost of an update against the clients a document has seen")
        print(clients_table(measure_clients(args.clients)) + "\n", flush=True)
    points = peers_points(args.peers_json) if args.peers_json is not None else []
    if points:
        print(peers_growth_table(points) + "\n", flush=True)
    print(NOTES + "\n", flush=True)
    if args.plot is not None:
        plot(args.plot, loads, memory, points)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="comma-separated: load, memory, clients"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (~1 min)")
    parser.add_argument("--log-sizes", type=_sizes, default=(1_000, 10_000, 100_000, 1_000_000))
    parser.add_argument("--documents", type=_sizes, default=(100, 1_000, 10_000))
    parser.add_argument(
        "--doc-updates", type=int, default=100, help="typed updates in each loaded document"
    )
    parser.add_argument(
        "--clients", type=_sizes, default=(10, 100, 1_000, 10_000), help="clients seen"
    )
    parser.add_argument("--samples", type=int, default=3, help="cold syncs of each kind per size")
    parser.add_argument("--peers-json", type=Path, help="run.py's JSON with peers results")
    parser.add_argument("--plot", type=Path, help="also draw the growth as a PNG (matplotlib)")
    args = parser.parse_args(argv)
    args.parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    if unknown := set(args.parts) - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if args.samples < 1:
        parser.error("--samples must be at least 1")
    if args.plot is not None and (missing := matplotlib_missing()) is not None:
        parser.error(missing)
    if args.quick:
        args.log_sizes, args.documents = (1_000, 10_000), (100, 1_000)
        args.clients = (10, 1_000)
    raise_file_limit()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="verstas-growth-") as tmp:
        try:
            asyncio.run(_run(args, Path(tmp)))
        except asyncio.CancelledError:
            progress("interrupted; every server and generator was stopped")
            raise SystemExit(130) from None
    progress(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
