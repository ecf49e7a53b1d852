"""Cold load: how long a fresh client waits for a document of 10,000 or 100,000 updates after
the server restarts, once after kill -9 (the log tail since the last checkpoint still to be
read) and once after SIGTERM (loaded from the checkpoint written on the way down).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.bench.generator import Event, load_generator
from tests.bench.scenarios import (
    CONNECT_TIMEOUT_MS,
    EVENT_TIMEOUT,
    SYNC_TIMEOUT_MS,
    ColdloadParams,
    phase,
    snapshot,
)
from tests.bench.servers import BenchServer, ServerKind

# Verstas' anti-abuse limits that one writer logging 100,000 updates as fast as it can trips by
# design; real users type far slower. Nothing else differs from the defaults.
_POPULATE_LIMITS = {"messages_per_second": 1e9, "bytes_per_second": 1e12}


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
        "connect_timeout_ms": CONNECT_TIMEOUT_MS,
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
