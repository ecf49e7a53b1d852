"""The multi-node comparison: the fan-out scenario through several Verstas processes sharing one
PostgreSQL database and a Redis bus, with the CPU of every process involved (nodes, Redis, the
nodes' PostgreSQL backends) read from /proc; the only scenario that runs servers side by side.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from tests.bench.generator import Event, load_generator
from tests.bench.scenarios import (
    EVENT_TIMEOUT,
    QUIESCE_TIMEOUT_MS,
    FanoutParams,
    failure_lines,
)
from tests.bench.servers import (
    BenchRedis,
    BenchServer,
    ServerKind,
    machine_busy_s,
    postgres_backends,
    sample,
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
    config = params.generator_config(
        [server.url for server in servers], f"bench-{secrets.token_hex(6)}-"
    )
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
        phase_timeout = params.duration_s + QUIESCE_TIMEOUT_MS / 1000 + EVENT_TIMEOUT
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
        failures=failure_lines(result["failures"]),
        generator=result,
    )
