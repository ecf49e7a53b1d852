"""Load benchmark: Verstas against `@y/websocket-server` and pycrdt-websocket, side by side.

Usage (see tests/bench/README.md for what every figure means):

    .venv/bin/python -m tests.bench.run [--scenario fanout|capacity|coldload|peers|multinode|all]
        [--quick] [--repeat N] [--servers verstas,reference,pycrdt-websocket] [--json PATH]
        [--postgres-url URL] [--commit-window-ms MS]

It prints figures; it asserts none. Servers run one at a time (the machine has 2 cores), in
alternating order across repetitions, each driven by the same Node load generator. The
multinode scenario (not part of `all`: it needs PostgreSQL and redis-server) compares Verstas
on one node with two nodes sharing the same workload, in the same way. Peers per room runs one
room of each size (tests/bench/peers.py) at the same total rate, Verstas against the reference.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from tests.bench import report
from tests.bench.coldload import (
    ColdloadResult,
    run_coldload,
)
from tests.bench.generator import GeneratorError
from tests.bench.multinode import MultinodeResult, nodes_label, run_multinode
from tests.bench.peers import PEERS_FULL, PEERS_QUICK, PEERS_SERVERS, PeersParams
from tests.bench.scenarios import (
    FULL,
    QUICK,
    CapacityResult,
    FanoutResult,
    Params,
    run_capacity,
    run_fanout,
)
from tests.bench.servers import DEFAULT_SERVERS, ServerError, ServerKind, wait_for_quiet
from tests.support.databases import POSTGRES_URL
from tests.support.jsclient import node_executable

SCENARIOS: Final = ("fanout", "capacity", "coldload", "peers")
# Not part of `all`: it needs a PostgreSQL server and redis-server, the others nothing.
MULTINODE: Final = "multinode"
# The multi-node variants, by number of Verstas processes: one alone, two sharing Redis.
NODE_COUNTS: Final = (1, 2)
# Each connection is one descriptor in the server and one in the generator, plus headroom.
_WANTED_FILES: Final = 65_536
# Before each server, wait (a bounded time) for other processes on the machine to calm down:
# other sessions may be running test suites on the same 2 cores.
QUIET_PCT: Final = 25.0
QUIET_MAX_WAIT_S: Final = 20.0


def raise_file_limit() -> int:
    """Raise RLIMIT_NOFILE as far as allowed; servers and the generator inherit it."""
    infinity = resource.RLIM_INFINITY
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == infinity or soft >= _WANTED_FILES:
        return soft
    if hard == infinity or hard >= _WANTED_FILES:
        resource.setrlimit(resource.RLIMIT_NOFILE, (_WANTED_FILES, hard))
    else:
        try:  # raising the hard limit needs CAP_SYS_RESOURCE
            resource.setrlimit(resource.RLIMIT_NOFILE, (_WANTED_FILES, _WANTED_FILES))
        except (ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def progress(message: str) -> None:
    """Progress goes to stderr so that stdout holds only the tables."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _machine(file_limit: int) -> dict[str, Any]:
    node_version = subprocess.run(
        [node_executable(), "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "node": node_version,
        "file_limit": file_limit,
    }


async def _run(
    scenarios: Sequence[str],
    params: Params,
    peers_params: PeersParams,
    servers: Sequence[ServerKind] | None,
    repeat: int,
    workdir: Path,
    postgres_url: str,
) -> dict[str, Any]:
    """Every requested scenario for every server; servers alternate order across repetitions.

    In the multinode scenario the node counts take the servers' place. Peers per room runs
    each room size for every server in turn, so that the runs a ratio compares are close in
    time. `servers` None: the defaults (the peers scenario's are its own).

    SIGINT and SIGTERM cancel the run, so that every server and generator started is stopped
    on the way out (a shell's background job ignores SIGINT, hence explicit handlers).
    """
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    fanout: list[FanoutResult] = []
    capacity: list[CapacityResult] = []
    coldload: list[ColdloadResult] = []
    multinode: list[MultinodeResult] = []
    peers: list[FanoutResult] = []
    # A server that crashes or hangs loses its own row, not the whole run.
    failed: list[dict[str, Any]] = []
    for scenario in scenarios:
        # Cold load is one measurement per size: its figures are seconds, not noise-level.
        repetitions = 1 if scenario == "coldload" else repeat
        if servers is not None:
            kinds: Sequence[ServerKind] = servers
        else:
            kinds = PEERS_SERVERS if scenario == "peers" else DEFAULT_SERVERS
        # Peers per room: one room of each size, every server at each size before the next.
        room_sizes: Sequence[int | None] = peers_params.sizes if scenario == "peers" else [None]
        for repetition, room_size in itertools.product(range(1, repetitions + 1), room_sizes):
            subjects: list[ServerKind | int] = [*(NODE_COUNTS if scenario == MULTINODE else kinds)]
            order = subjects if repetition % 2 else subjects[::-1]
            for kind in order:
                name = nodes_label(kind) if isinstance(kind, int) else kind.value
                if room_size is not None:
                    name += f", {room_size} clients"
                where = workdir / f"{scenario}-{kind}-{room_size}-{repetition}"
                where.mkdir()
                busy = await wait_for_quiet(QUIET_PCT, QUIET_MAX_WAIT_S)
                note = f" (machine still {busy:.0f}% busy after {QUIET_MAX_WAIT_S:.0f} s)"
                progress(f"{scenario} #{repetition}: {name}{note if busy >= QUIET_PCT else ''}")
                try:
                    if isinstance(kind, int):
                        multinode.append(
                            await run_multinode(
                                kind, params.fanout, postgres_url, repetition, where
                            )
                        )
                    elif scenario == "fanout":
                        fanout.append(await run_fanout(kind, params.fanout, repetition, where))
                    elif room_size is not None:
                        room = peers_params.fanout(room_size)
                        peers.append(await run_fanout(kind, room, repetition, where))
                    elif scenario == "capacity":
                        capacity.append(
                            await run_capacity(kind, params.capacity, repetition, where)
                        )
                    else:
                        for size in params.coldload.sizes:
                            sized = where / str(size)
                            sized.mkdir()
                            coldload.append(await run_coldload(kind, size, params.coldload, sized))
                except (ServerError, GeneratorError, OSError) as exc:
                    progress(f"{scenario} #{repetition}: {name} FAILED: {exc}")
                    failed.append(
                        {
                            "scenario": scenario,
                            "server": name,
                            "repetition": repetition,
                            "error": str(exc),
                        }
                    )
        if scenario == "fanout":
            print(report.fanout_table(fanout) + "\n", flush=True)
        elif scenario == "capacity":
            print(report.capacity_tables(capacity) + "\n", flush=True)
        elif scenario == "coldload":
            print(report.coldload_table(coldload) + "\n", flush=True)
        elif scenario == "peers":
            print(report.peers_table(peers) + "\n", flush=True)
        else:
            print(report.multinode_table(multinode) + "\n", flush=True)
        for failure in failed:
            if failure["scenario"] == scenario:
                first_line = failure["error"].splitlines()[0] if failure["error"] else "?"
                print(f"FAILED: {failure['server']} #{failure['repetition']}: {first_line}\n")
    print(report.NOTES + "\n", flush=True)
    return {
        "fanout": [dataclasses.asdict(r) for r in fanout],
        "capacity": [dataclasses.asdict(r) for r in capacity],
        "coldload": [dataclasses.asdict(r) for r in coldload],
        "multinode": [dataclasses.asdict(r) for r in multinode],
        "peers": [dataclasses.asdict(r) for r in peers],
        "failed": failed,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scenario",
        choices=[*SCENARIOS, MULTINODE, "all"],
        default="all",
        help=f"all: {', '.join(SCENARIOS)} ({MULTINODE} needs PostgreSQL and redis-server)",
    )
    parser.add_argument("--quick", action="store_true", help="shorter runs, smaller sizes (~3 min)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="repetitions of fan-out, capacity, peers and multinode (cold load runs once)",
    )
    parser.add_argument(
        "--servers",
        help="comma-separated subset of: "
        + ", ".join(kind.value for kind in ServerKind)
        + f" (default: {', '.join(kind.value for kind in DEFAULT_SERVERS)}; for peers: "
        + f"{', '.join(kind.value for kind in PEERS_SERVERS)}; {MULTINODE} runs Verstas only)",
    )
    parser.add_argument("--json", type=Path, help="write the raw results here")
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help="the database of the multinode scenario, shared with other test runs: its "
        "rooms get fresh names and nothing is deleted (default: %(default)s, from "
        "VERSTAS_TEST_POSTGRES_URL when set)",
    )
    parser.add_argument(
        "--commit-window-ms",
        type=float,
        help="Verstas' group-commit window under sustained load, for every Verstas server of "
        "the run (default: the server's own, 2 ms): the trade between CPU per delivery and "
        "latency that tests/bench/README.md measures",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.commit_window_ms is not None:
        if args.commit_window_ms < 0:
            parser.error("--commit-window-ms must be 0 or more")
        # Verstas servers inherit the environment (tests/bench/servers.py).
        os.environ["VERSTAS_COMMIT_WINDOW_MS"] = str(args.commit_window_ms)
        progress(f"Verstas' group-commit window: {args.commit_window_ms} ms")
    else:
        os.environ.pop("VERSTAS_COMMIT_WINDOW_MS", None)  # the server's default, not the shell's
    servers: list[ServerKind] | None = None
    if args.servers is not None:
        try:
            servers = [ServerKind(name.strip()) for name in args.servers.split(",")]
        except ValueError as exc:
            parser.error(str(exc))
    scenarios = SCENARIOS if args.scenario == "all" else (args.scenario,)
    params = QUICK if args.quick else FULL
    peers_params = PEERS_QUICK if args.quick else PEERS_FULL
    file_limit = raise_file_limit()
    machine = _machine(file_limit)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="verstas-bench-") as tmp:
        try:
            results = asyncio.run(
                _run(
                    scenarios,
                    params,
                    peers_params,
                    servers,
                    args.repeat,
                    Path(tmp),
                    args.postgres_url,
                )
            )
        except asyncio.CancelledError:
            progress("interrupted; every server and generator was stopped")
            raise SystemExit(130) from None
    progress(f"done in {time.monotonic() - started:.0f} s")
    if args.json is not None:
        document = {
            "machine": machine,
            "quick": args.quick,
            "commit_window_ms": args.commit_window_ms,
            "params": {**dataclasses.asdict(params), "peers": dataclasses.asdict(peers_params)},
            "wall_s": time.monotonic() - started,
            **results,
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n")
        progress(f"raw results written to {args.json}")


if __name__ == "__main__":
    main()
