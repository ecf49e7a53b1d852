"""The scenarios: what each one asks of the generator and what it reads from /proc.

Each function starts one server, drives it with one generator process, and stops it, so servers
never compete for the machine's 2 cores; only the multi-node comparison runs several Verstas
processes at once, since sharing one workload between them is what it measures. Figures are
measured, never judged: nothing here decides pass or fail except obvious protocol failures,
which are reported, not raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench.commit_metrics import CommitFigures, commit_figures, read_commits
from tests.bench.generator import Event, load_generator
from tests.bench.servers import (
    BenchRedis,
    BenchServer,
    ProcSample,
    ServerKind,
    machine_busy_s,
    postgres_backends,
    sample,
)

# Generous bounds for single steps; every wait in the benchmark has one.
EVENT_TIMEOUT = 120.0
_CONNECT_TIMEOUT_MS = 30_000
SYNC_TIMEOUT_MS = 120_000
_QUIESCE_TIMEOUT_MS = 15_000
_LEAVE_TIMEOUT_MS = 10_000
# Handshakes in flight at once: well under every server's listen backlog (Node's 511).
_CONNECT_CONCURRENCY = 100
# Idle time after a server starts before its "before" RSS is read.
_IDLE_BEFORE_S = 1.0
# Verstas' anti-abuse limits that a load generator on one address trips by design: 10,000
# connections from 127.0.0.1, and one writer logging 100,000 updates as fast as it can. Real
# users come from many addresses and type far slower; nothing else differs from the defaults.
_CAPACITY_LIMITS = {"max_connections_per_ip": 1_000_000}
# The capacity scenario's documents are this plus a number from 0: the growth bench stores them
# beforehand (tests/bench/growth_bench.py), so that each client holds a document with content.
CAPACITY_ROOM_PREFIX = "cap-"
_POPULATE_LIMITS = {"messages_per_second": 1e9, "bytes_per_second": 1e12}


@dataclass(frozen=True, slots=True)
class FanoutParams:
    rooms: int
    clients_per_room: int
    rate: float  # updates per second per client
    duration_s: float
    jitter: float = 0.5  # each send interval is 1/rate scaled by a uniform 1 +- jitter


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


@dataclass(slots=True)
class ColdSync:
    """A fresh client's sync after a restart; `replayed` is the log tail Verstas applied."""

    sync_ms: float | None
    complete: bool
    replayed: int | None
    error: str | None


@dataclass(slots=True)
class ColdloadResult:
    server: str
    updates: int
    populate_s: float
    updates_per_s: float
    # While populating: server CPU per logged update, and the generator's share of a core (near
    # 100%, the generator and not the server set the populating pace).
    server_cpu_us_per_update: float
    loadgen_cpu_pct: float
    other_cpu_pct: float
    database_mib: float | None
    warm_sync_ms: float | None
    warm_complete: bool
    after_kill: ColdSync | None  # None: the server does not persist
    after_sigterm: ColdSync | None
    generator: Event


def _failures(raw: Any) -> list[str]:
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
    config = {
        "mode": "fanout",
        "urls": [server.url],
        "room_prefix": "bench-",  # a fresh database each run: no name can clash
        "rooms": params.rooms,
        "clients_per_room": params.clients_per_room,
        "rate": params.rate,
        "duration_s": params.duration_s,
        "jitter": params.jitter,
        "connect_timeout_ms": _CONNECT_TIMEOUT_MS,
        "connect_concurrency": _CONNECT_CONCURRENCY,
        "quiesce_timeout_ms": _QUIESCE_TIMEOUT_MS,
    }
    verstas = kind.is_verstas
    commit: CommitFigures | None = None
    try:
        async with load_generator(config, workdir) as generator:
            await generator.event("synced", EVENT_TIMEOUT)
            # /metrics is read outside the CPU snapshots, so its cost is not in the phase.
            commits_before = await read_commits(server.port) if verstas else None
            synced = snapshot(server.pid, generator.pid)
            await generator.command("continue")
            phase_timeout = params.duration_s + _QUIESCE_TIMEOUT_MS / 1000 + EVENT_TIMEOUT
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
        failures=_failures(result["failures"]),
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
        "connect_timeout_ms": _CONNECT_TIMEOUT_MS,
        "connect_concurrency": _CONNECT_CONCURRENCY,
        "leave_timeout_ms": _LEAVE_TIMEOUT_MS,
    }
    # One bound for a whole round's connect phase: 2 s per batch of concurrent handshakes.
    round_timeout = EVENT_TIMEOUT + params.clients / _CONNECT_CONCURRENCY * 2
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
                failures=_failures(reported["failures"]),
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


def cold_sync(event: Event, replayed: int | None) -> ColdSync:
    ok = bool(event.get("ok"))
    return ColdSync(
        sync_ms=event.get("sync_ms") if ok else None,
        complete=ok and bool(event.get("complete")),
        replayed=replayed,
        error=None if ok else str(event.get("error")),
    )


async def run_coldload(
    kind: ServerKind, size: int, params: ColdloadParams, workdir: Path
) -> ColdloadResult:
    """Populate a document; for Verstas, time the first sync after kill -9 and after SIGTERM.

    kill -9 comes first, while the writer is still connected, so the room was never unloaded
    and its log tail since the last background checkpoint is still unfolded: the restart must
    replay it. The client that then syncs leaves, the room unloads with a checkpoint, and the
    SIGTERM restart loads from that checkpoint: the common, checkpointed case.
    """
    room = f"cold-{size}"
    server = BenchServer(kind, workdir, _POPULATE_LIMITS)
    await server.start()
    config = {
        "mode": "coldload",
        "url": server.url,
        "room": room,
        "updates": size,
        "window": params.window,
        "connect_timeout_ms": _CONNECT_TIMEOUT_MS,
        "sync_timeout_ms": SYNC_TIMEOUT_MS,
        "populate_timeout_ms": params.populate_timeout_s * 1000,
    }
    sync_timeout = SYNC_TIMEOUT_MS / 1000 + EVENT_TIMEOUT
    after_kill: ColdSync | None = None
    after_sigterm: ColdSync | None = None
    database_bytes: int | None = None
    try:
        async with load_generator(config, workdir) as generator:
            start = snapshot(server.pid, generator.pid)
            await generator.event("populated", params.populate_timeout_s + 60)
            populating = phase(start, snapshot(server.pid, generator.pid))
            if kind.is_verstas:
                database_bytes = server.database_bytes()
                await server.kill()
                await server.start()
                await generator.command("sync", label="after kill -9")
                synced = await generator.event("doc_synced", sync_timeout)
                after_kill = cold_sync(synced, server.replayed_log_entries(room))
                await server.stop()
                await server.start()
                await generator.command("sync", label="after SIGTERM")
                synced = await generator.event("doc_synced", sync_timeout)
                after_sigterm = cold_sync(synced, server.replayed_log_entries(room))
            await generator.command("end")
            result = await generator.event("result", EVENT_TIMEOUT)
    finally:
        await server.stop()
    warm: Event = result["warm"]
    return ColdloadResult(
        server=kind.value,
        updates=size,
        populate_s=result["populate_ms"] / 1000,
        updates_per_s=result["updates_per_s"],
        server_cpu_us_per_update=populating.server_cpu_s / size * 1e6,
        loadgen_cpu_pct=populating.generator_pct,
        other_cpu_pct=populating.other_pct,
        database_mib=database_bytes / 2**20 if database_bytes is not None else None,
        warm_sync_ms=warm.get("sync_ms") if warm.get("ok") else None,
        warm_complete=bool(warm.get("ok")) and bool(warm.get("complete")),
        after_kill=after_kill,
        after_sigterm=after_sigterm,
        generator=result,
    )


def nodes_label(nodes: int) -> str:
    """How a multi-node variant is named in tables, progress lines and the JSON."""
    return "verstas 1 node" if nodes == 1 else f"verstas {nodes} nodes"


@dataclass(slots=True)
class MultinodeResult:
    """Fan-out through Verstas nodes on PostgreSQL; CPU seconds over the sending phase."""

    variant: str
    nodes: int
    repetition: int
    clients: int
    updates_sent: int
    frames_delivered: int
    delivered_per_s: float
    latency_ms: dict[str, float | None]
    cross_node_latency_ms: dict[str, float | None]  # receivers on another node than the sender
    nodes_cpu_s: float  # summed over the node processes
    nodes_cpu_pct: float
    nodes_cpu_us_per_delivery: float | None
    redis_cpu_s: float | None  # None: one node, without Redis
    redis_cpu_us_per_delivery: float | None
    postgres_cpu_s: float | None  # the nodes' backends; None: none found (remote PostgreSQL)
    postgres_cpu_us_per_delivery: float | None
    loadgen_cpu_pct: float
    other_cpu_pct: float
    converged: bool
    failures: list[str]
    generator: Event


@dataclass(frozen=True, slots=True)
class _ClusterReading:
    """Every process of a multi-node run at one moment (CPU seconds)."""

    at: float
    nodes_cpu_s: float
    generator_cpu_s: float
    redis_cpu_s: float
    backends_cpu_s: dict[int, float]  # by backend pid: backends may come and go
    machine_busy_s: float


def _cluster_reading(
    nodes: list[BenchServer], generator_pid: int, redis: BenchRedis | None, postgres_url: str
) -> _ClusterReading:
    node_pids = [node.pid for node in nodes]
    # Finding the backends scans /proc: done first, so that the readings stay close together.
    backends = postgres_backends(node_pids, postgres_url)
    backends_cpu_s: dict[int, float] = {}
    for pid in backends:
        with contextlib.suppress(OSError):  # the pool closed that connection meanwhile
            backends_cpu_s[pid] = sample(pid).cpu_s
    return _ClusterReading(
        at=time.monotonic(),
        nodes_cpu_s=sum(sample(pid).cpu_s for pid in node_pids),
        generator_cpu_s=sample(generator_pid).cpu_s,
        redis_cpu_s=sample(redis.pid).cpu_s if redis is not None else 0.0,
        backends_cpu_s=backends_cpu_s,
        machine_busy_s=machine_busy_s(),
    )


def _per_delivery(cpu_s: float | None, delivered: int) -> float | None:
    return cpu_s / delivered * 1e6 if cpu_s is not None and delivered else None


async def run_multinode(
    nodes: int, params: FanoutParams, postgres_url: str, repetition: int, workdir: Path
) -> MultinodeResult:
    """The fan-out scenario through `nodes` Verstas processes on one PostgreSQL database.

    One node runs without Redis, as a single process on PostgreSQL is deployed. Several share a
    private redis-server, and the generator assigns each room's clients to them round-robin, so
    every update reaches half its receivers through the bus. Rooms get a run-unique prefix: the
    database is shared with other test runs, and nothing is ever deleted from it.
    """
    redis = BenchRedis(workdir) if nodes > 1 else None
    servers: list[BenchServer] = []
    for index in range(nodes):
        (workdir / f"node-{index}").mkdir()
        servers.append(
            BenchServer(
                ServerKind.VERSTAS,
                workdir / f"node-{index}",
                postgres_url=postgres_url,
                redis_url=redis.url if redis is not None else None,
            )
        )
    config = {
        "mode": "fanout",
        "urls": [server.url for server in servers],
        "room_prefix": f"bench-{secrets.token_hex(6)}-",
        "rooms": params.rooms,
        "clients_per_room": params.clients_per_room,
        "rate": params.rate,
        "duration_s": params.duration_s,
        "jitter": params.jitter,
        "connect_timeout_ms": _CONNECT_TIMEOUT_MS,
        "connect_concurrency": _CONNECT_CONCURRENCY,
        "quiesce_timeout_ms": _QUIESCE_TIMEOUT_MS,
    }
    # Unwound in reverse: the generator ends first, then the nodes, then Redis. Each stop is
    # registered before its start, so that a process that failed to come up is stopped too.
    async with contextlib.AsyncExitStack() as stack:
        if redis is not None:
            stack.push_async_callback(redis.stop)
            await redis.start()
        for server in servers:
            stack.push_async_callback(server.stop)
            await server.start()
        generator = await stack.enter_async_context(load_generator(config, workdir))
        await generator.event("synced", EVENT_TIMEOUT)
        synced = _cluster_reading(servers, generator.pid, redis, postgres_url)
        await generator.command("continue")
        phase_timeout = params.duration_s + _QUIESCE_TIMEOUT_MS / 1000 + EVENT_TIMEOUT
        await generator.event("quiesced", phase_timeout)
        quiesced = _cluster_reading(servers, generator.pid, redis, postgres_url)
        await generator.command("continue")
        result = await generator.event("result", EVENT_TIMEOUT)
    delivered: int = result["frames_delivered"]
    wall = quiesced.at - synced.at
    nodes_cpu_s = quiesced.nodes_cpu_s - synced.nodes_cpu_s
    generator_cpu_s = quiesced.generator_cpu_s - synced.generator_cpu_s
    redis_cpu_s = quiesced.redis_cpu_s - synced.redis_cpu_s
    # A backend that appeared during the phase counts from zero; one that ended is lost.
    postgres_cpu_s = sum(
        cpu_s - synced.backends_cpu_s.get(pid, 0.0)
        for pid, cpu_s in quiesced.backends_cpu_s.items()
    )
    other_cpu_s = (
        quiesced.machine_busy_s
        - synced.machine_busy_s
        - nodes_cpu_s
        - generator_cpu_s
        - redis_cpu_s
        - postgres_cpu_s
    )
    redis_cpu: float | None = redis_cpu_s if redis is not None else None
    postgres_cpu: float | None = postgres_cpu_s if quiesced.backends_cpu_s else None
    return MultinodeResult(
        variant=nodes_label(nodes),
        nodes=nodes,
        repetition=repetition,
        clients=result["clients"],
        updates_sent=result["updates_sent"],
        frames_delivered=delivered,
        delivered_per_s=result["delivered_per_s"],
        latency_ms=result["latency_ms"],
        cross_node_latency_ms=result["cross_server_latency_ms"],
        nodes_cpu_s=nodes_cpu_s,
        nodes_cpu_pct=100 * nodes_cpu_s / wall,
        nodes_cpu_us_per_delivery=_per_delivery(nodes_cpu_s, delivered),
        redis_cpu_s=redis_cpu,
        redis_cpu_us_per_delivery=_per_delivery(redis_cpu, delivered),
        postgres_cpu_s=postgres_cpu,
        postgres_cpu_us_per_delivery=_per_delivery(postgres_cpu, delivered),
        loadgen_cpu_pct=100 * generator_cpu_s / wall,
        other_cpu_pct=max(0.0, 100 * other_cpu_s / wall),
        converged=result["converged"],
        failures=_failures(result["failures"]),
        generator=result,
    )
