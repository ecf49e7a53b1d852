"""The scenarios: what each one asks of the generator and what it reads from /proc.

Each function starts one server, drives it with one generator process, and stops it, so servers
never compete for the machine's 2 cores; only the multi-node comparison runs several Verstas
processes at once, since sharing one workload between them is what it measures. Figures are
measured, never judged: nothing here decides pass or fail except obvious protocol failures,
which are reported, not raised.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench.commit_metrics import CommitFigures, commit_figures, read_commits
from tests.bench.generator import Event, load_generator
from tests.bench.servers import (
    BenchServer,
    ProcSample,
    ServerKind,
    machine_busy_s,
    sample,
)

# Generous bounds for single steps; every wait in the benchmark has one.
EVENT_TIMEOUT = 120.0
CONNECT_TIMEOUT_MS = 30_000
SYNC_TIMEOUT_MS = 120_000
QUIESCE_TIMEOUT_MS = 15_000
_LEAVE_TIMEOUT_MS = 10_000
# Handshakes in flight at once: well under every server's listen backlog (Node's 511).
CONNECT_CONCURRENCY = 100
# Idle time after a server starts before its "before" RSS is read.
_IDLE_BEFORE_S = 1.0
# Verstas' anti-abuse limit that a load generator on one address trips by design: 10,000
# connections from 127.0.0.1. Real users come from many addresses; nothing else differs from
# the defaults.
_CAPACITY_LIMITS = {"max_connections_per_ip": 1_000_000}
# The capacity scenario's documents are this plus a number from 0: the growth bench stores them
# beforehand (tests/bench/growth_bench.py), so that each client holds a document with content.
CAPACITY_ROOM_PREFIX = "cap-"


@dataclass(frozen=True, slots=True)
class FanoutParams:
    rooms: int
    clients_per_room: int
    rate: float  # updates per second per client
    duration_s: float
    jitter: float = 0.5  # each send interval is 1/rate scaled by a uniform 1 +- jitter

    def generator_config(self, urls: list[str], room_prefix: str) -> dict[str, object]:
        """The generator's fan-out mode with these parameters, its rooms' clients assigned to
        `urls` round-robin."""
        return {
            "mode": "fanout",
            "urls": urls,
            "room_prefix": room_prefix,
            "rooms": self.rooms,
            "clients_per_room": self.clients_per_room,
            "rate": self.rate,
            "duration_s": self.duration_s,
            "jitter": self.jitter,
            "connect_timeout_ms": CONNECT_TIMEOUT_MS,
            "connect_concurrency": CONNECT_CONCURRENCY,
            "quiesce_timeout_ms": QUIESCE_TIMEOUT_MS,
        }


@dataclass(frozen=True, slots=True)
class CapacityParams:
    clients: int
    rooms: int
    rounds: int
    settle_s: float  # wait after everyone left before reading RSS (Verstas unloads after 1 s)


@dataclass(frozen=True, slots=True)
class ColdloadParams:
    sizes: tuple[int, ...]  # K: updates logged into the document
    window: int = 500  # updates sent but not yet seen by the witness, at most
    populate_timeout_s: float = 300.0


@dataclass(frozen=True, slots=True)
class Params:
    fanout: FanoutParams
    capacity: CapacityParams
    coldload: ColdloadParams


FULL = Params(
    fanout=FanoutParams(rooms=10, clients_per_room=10, rate=10.0, duration_s=20.0),
    capacity=CapacityParams(clients=10_000, rooms=500, rounds=3, settle_s=5.0),
    coldload=ColdloadParams(sizes=(10_000, 100_000)),
)
QUICK = Params(
    fanout=FanoutParams(rooms=10, clients_per_room=10, rate=10.0, duration_s=5.0),
    capacity=CapacityParams(clients=2_000, rooms=100, rounds=2, settle_s=3.0),
    coldload=ColdloadParams(sizes=(10_000,)),
)


@dataclass(slots=True)
class FanoutResult:
    server: str
    repetition: int
    clients: int
    updates_sent: int
    frames_delivered: int
    delivered_per_s: float
    latency_ms: dict[str, float | None]
    server_cpu_s: float
    server_cpu_us_per_delivery: float | None
    server_cpu_pct: float
    server_rss_mib: float
    loadgen_cpu_pct: float
    other_cpu_pct: float
    converged: bool
    failures: list[str]
    generator: Event
    commit: CommitFigures | None = None  # Verstas only: its group commits over the same phase


@dataclass(slots=True)
class CapacityRound:
    round: int
    connected: int
    failures: list[str]
    connect_total_s: float
    connect_ms: dict[str, float | None]
    server_cpu_us_per_connection: float | None
    loadgen_cpu_pct: float
    other_cpu_pct: float
    rss_connected_mib: float
    rss_after_mib: float


@dataclass(slots=True)
class CapacityResult:
    server: str
    repetition: int
    clients: int
    rooms: int
    rss_before_mib: float
    rss_per_connection_kib: float
    rounds: list[CapacityRound]


def failure_lines(raw: Any) -> list[str]:
    """The generator's grouped failures as readable lines."""
    if not isinstance(raw, list):
        return []
    return [f"{item['message']} (x{item['count']})" for item in raw]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The server, the generator and the whole machine, read at one moment."""

    server: ProcSample
    generator: ProcSample
    machine_busy_s: float


def snapshot(server_pid: int, generator_pid: int) -> Snapshot:
    return Snapshot(sample(server_pid), sample(generator_pid), machine_busy_s())


@dataclass(frozen=True, slots=True)
class Phase:
    """CPU use between two snapshots; percentages are of one core."""

    server_cpu_s: float
    server_pct: float
    generator_pct: float
    other_pct: float  # everything else on the machine: other sessions' test runs, say


def phase(start: Snapshot, end: Snapshot) -> Phase:
    wall = end.server.at - start.server.at
    server = end.server.cpu_s - start.server.cpu_s
    generator = end.generator.cpu_s - start.generator.cpu_s
    other = end.machine_busy_s - start.machine_busy_s - server - generator
    if wall <= 0:
        return Phase(server, 0.0, 0.0, 0.0)
    return Phase(server, 100 * server / wall, 100 * generator / wall, max(0.0, 100 * other / wall))


async def run_fanout(
    kind: ServerKind, params: FanoutParams, repetition: int, workdir: Path
) -> FanoutResult:
    """All clients synced, then CPU is read over the sending and delivery phase only."""
    server = BenchServer(kind, workdir)
    await server.start()
    # A fresh database each run: no room name can clash.
    config = params.generator_config([server.url], "bench-")
    verstas = kind.is_verstas
    commit: CommitFigures | None = None
    try:
        async with load_generator(config, workdir) as generator:
            await generator.event("synced", EVENT_TIMEOUT)
            # /metrics is read outside the CPU snapshots, so its cost is not in the phase.
            commits_before = await read_commits(server.port) if verstas else None
            synced = snapshot(server.pid, generator.pid)
            await generator.command("continue")
            phase_timeout = params.duration_s + QUIESCE_TIMEOUT_MS / 1000 + EVENT_TIMEOUT
            await generator.event("quiesced", phase_timeout)
            quiesced = snapshot(server.pid, generator.pid)
            if commits_before is not None:
                commit = commit_figures(commits_before, await read_commits(server.port))
            await generator.command("continue")
            result = await generator.event("result", EVENT_TIMEOUT)
    finally:
        await server.stop()
    delivered: int = result["frames_delivered"]
    load = phase(synced, quiesced)
    return FanoutResult(
        server=kind.value,
        repetition=repetition,
        clients=result["clients"],
        updates_sent=result["updates_sent"],
        frames_delivered=delivered,
        delivered_per_s=result["delivered_per_s"],
        latency_ms=result["latency_ms"],
        server_cpu_s=load.server_cpu_s,
        server_cpu_us_per_delivery=load.server_cpu_s / delivered * 1e6 if delivered else None,
        server_cpu_pct=load.server_pct,
        server_rss_mib=quiesced.server.rss_mib,
        loadgen_cpu_pct=load.generator_pct,
        other_cpu_pct=load.other_pct,
        converged=result["converged"],
        failures=failure_lines(result["failures"]),
        generator=result,
        commit=commit,
    )


async def run_capacity(
    kind: ServerKind, params: CapacityParams, repetition: int, workdir: Path
) -> CapacityResult:
    """RSS before, with everyone connected, and after everyone left, for each round."""
    server = BenchServer(kind, workdir, _CAPACITY_LIMITS)
    await server.start()
    config = {
        "mode": "capacity",
        "url": server.url,
        "room_prefix": CAPACITY_ROOM_PREFIX,
        "clients": params.clients,
        "rooms": params.rooms,
        "rounds": params.rounds,
        "connect_timeout_ms": CONNECT_TIMEOUT_MS,
        "connect_concurrency": CONNECT_CONCURRENCY,
        "leave_timeout_ms": _LEAVE_TIMEOUT_MS,
    }
    # One bound for a whole round's connect phase: 2 s per batch of concurrent handshakes.
    round_timeout = EVENT_TIMEOUT + params.clients / CONNECT_CONCURRENCY * 2
    # Per round: snapshots at its start and with everyone connected, the server after leaving.
    samples: list[tuple[Snapshot, Snapshot, ProcSample]] = []
    try:
        await asyncio.sleep(_IDLE_BEFORE_S)
        before = sample(server.pid)
        async with load_generator(config, workdir) as generator:
            start = snapshot(server.pid, generator.pid)
            for _ in range(params.rounds):
                await generator.event("connected", round_timeout)
                connected = snapshot(server.pid, generator.pid)
                await generator.command("continue")
                await generator.event("left", round_timeout)
                await asyncio.sleep(params.settle_s)
                samples.append((start, connected, sample(server.pid)))
                start = snapshot(server.pid, generator.pid)
                await generator.command("continue")
            result = await generator.event("result", EVENT_TIMEOUT)
    finally:
        await server.stop()
    rounds: list[CapacityRound] = []
    for reported, (start, connected, after) in zip(result["rounds"], samples, strict=True):
        count: int = reported["connected"]
        connecting = phase(start, connected)
        rounds.append(
            CapacityRound(
                round=reported["round"],
                connected=count,
                failures=failure_lines(reported["failures"]),
                connect_total_s=reported["connect_total_ms"] / 1000,
                connect_ms=reported["connect_ms"],
                server_cpu_us_per_connection=(
                    connecting.server_cpu_s / count * 1e6 if count else None
                ),
                loadgen_cpu_pct=connecting.generator_pct,
                other_cpu_pct=connecting.other_pct,
                rss_connected_mib=connected.server.rss_mib,
                rss_after_mib=after.rss_mib,
            )
        )
    first = rounds[0]
    per_connection = (
        (first.rss_connected_mib - before.rss_mib) * 1024 / first.connected
        if first.connected
        else 0.0
    )
    return CapacityResult(
        server=kind.value,
        repetition=repetition,
        clients=params.clients,
        rooms=params.rooms,
        rss_before_mib=before.rss_mib,
        rss_per_connection_kib=per_connection,
        rounds=rounds,
    )
