"""How the growth bench fills a Verstas database through the store, and times loads from it.

Why through the store: logging a million updates through websockets takes longer than
everything else in the bench together. The updates are the load generator's own (its typist,
`loadgen.mjs` mode "updates", one small insert each, written to a file), and they are appended
through the update log contract (`UpdateLog.append`, the call the group committer makes) in
large batches, so the log holds exactly the bytes a room would have logged for them. Checkpoints
are made as a room makes them: the document replayed from its log (`replay`), its whole state
encoded (`Doc.get_update`), saved at the last position it covers.
"""

from __future__ import annotations

import shutil
import statistics
import struct
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from documents.checkpoints import CheckpointPolicy
from documents.store.factory import create_store
from documents.store.log import PendingUpdate, UpdateLog, replay
from documents.store.migrate import upgrade
from tests.bench.coldload import (
    ColdSync,
    cold_sync,
)
from tests.bench.generator import load_generator
from tests.bench.scenarios import (
    EVENT_TIMEOUT,
    SYNC_TIMEOUT_MS,
)
from tests.bench.servers import BenchServer, ServerKind

# Updates per append: one transaction each, as large as a busy room's group commit never is;
# the rows are the same whatever the batch.
_BATCH: Final = 10_000
# The longest tail the default policy leaves unfolded: a room asks for a checkpoint once its
# tail reaches `max_entries` (1,000) or `max_bytes` (1 MiB; 999 of these updates are ~33 KB).
TAIL_ENTRIES: Final = CheckpointPolicy().max_entries - 1
# Generating a million updates takes the generator ~10 s.
_GENERATE_TIMEOUT_S: Final = 600.0


@dataclass(frozen=True, slots=True)
class TypedUpdates:
    """One typist's updates in order; after the first N, its clock stands at N * per_update."""

    updates: list[bytes]
    client: int
    clock_per_update: int

    def expected(self, count: int) -> list[list[int]]:
        """What a complete sync of the first `count` holds, as loadgen's "syncs" mode takes it."""
        return [[self.client, count * self.clock_per_update]]


async def typed_updates(count: int, workdir: Path) -> TypedUpdates:
    """`count` updates made by the load generator's typist (see the module's docstring)."""
    path = workdir / "updates.bin"
    config = {"mode": "updates", "updates": count, "path": str(path)}
    async with load_generator(config, workdir) as generator:
        result = await generator.event("result", _GENERATE_TIMEOUT_S)
    raw = path.read_bytes()
    path.unlink()
    updates: list[bytes] = []
    offset = 0
    while offset < len(raw):
        (length,) = struct.unpack_from("<I", raw, offset)
        updates.append(raw[offset + 4 : offset + 4 + length])
        offset += 4 + length
    return TypedUpdates(updates, result["client"], result["clock_per_update"])


@asynccontextmanager
async def bench_store(url: str) -> AsyncIterator[UpdateLog]:
    """A server's database at the head schema, opened while the server is stopped.

    Written with `synchronous=NORMAL`: nothing here needs to survive a power cut, and what
    the server later reads is the same.
    """
    await upgrade(url, lambda _line: None)
    store = create_store(url, sqlite_synchronous="NORMAL")
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def log_updates(store: UpdateLog, pending: Sequence[PendingUpdate]) -> list[int]:
    """Append in batches; the positions in order."""
    positions: list[int] = []
    for start in range(0, len(pending), _BATCH):
        positions += await store.append(pending[start : start + _BATCH])
    return positions


async def checkpoint_at(store: UpdateLog, document: str, position: int) -> int:
    """Save the checkpoint a room would write at `position`; its size in bytes."""
    state = replay(await store.load(document, upto=position)).get_update()
    await store.save_checkpoint(document, state, position)
    return len(state)


@dataclass(slots=True)
class LoadRow:
    """Cold syncs of one document of `entries` logged updates, each after a restart."""

    entries: int
    populate_s: float
    database_mib: float
    state_mib: float  # the checkpoint before the tail: what a fresh client's step 2 carries
    machine_busy_pct: float  # the machine in the second before this row began
    tail: list[ColdSync] = field(default_factory=list)  # checkpoint and a TAIL_ENTRIES tail
    checkpointed: list[ColdSync] = field(default_factory=list)  # after SIGTERM's checkpoint


def sync_summary(syncs: Sequence[ColdSync]) -> tuple[float | None, float | None, float | None]:
    """Median, min and max sync ms of the samples that succeeded."""
    times = [s.sync_ms for s in syncs if s.sync_ms is not None]
    if not times:
        return None, None, None
    return statistics.median(times), min(times), max(times)


def _database_files(server: BenchServer) -> list[Path]:
    database = server.database
    return [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]


def _keep(server: BenchServer, where: Path) -> None:
    where.mkdir()
    for path in _database_files(server):
        if path.exists():
            shutil.copy2(path, where / path.name)


def _restore(server: BenchServer, kept: Path) -> None:
    for path in _database_files(server):
        path.unlink(missing_ok=True)
        if (kept / path.name).exists():
            shutil.copy2(kept / path.name, path)


async def measure_load(
    typed: TypedUpdates, entries: int, samples: int, busy_pct: float, workdir: Path
) -> LoadRow:
    """Log `entries` updates with a checkpoint before the last TAIL_ENTRIES; time cold syncs.

    What a kill -9 leaves (the latest checkpoint and a tail at the policy's bound) is kept
    aside and put back before each tail sample, so every sample loads the same thing; the
    last one ends with SIGTERM, whose shutdown checkpoint every later sample loads alone.
    """
    document = f"log-{entries}"
    server = BenchServer(ServerKind.VERSTAS, workdir)
    started = time.monotonic()
    async with bench_store(server.database_url) as store:
        pending = [PendingUpdate(document, update) for update in typed.updates[:entries]]
        positions = await log_updates(store, pending)
        covered = max(1, entries - TAIL_ENTRIES)
        state_bytes = await checkpoint_at(store, document, positions[covered - 1])
    row = LoadRow(
        entries=entries,
        populate_s=time.monotonic() - started,
        database_mib=server.database_bytes() / 2**20,
        state_mib=state_bytes / 2**20,
        machine_busy_pct=busy_pct,
    )
    kept = workdir / "after-kill"
    _keep(server, kept)
    config = {
        "mode": "syncs",
        "url": server.url,
        "room": document,
        "expected": typed.expected(entries),
        "sync_timeout_ms": SYNC_TIMEOUT_MS,
    }
    sync_timeout = SYNC_TIMEOUT_MS / 1000 + EVENT_TIMEOUT
    try:
        async with load_generator(config, workdir) as generator:
            await generator.event("ready", EVENT_TIMEOUT)
            for sample in range(samples):
                if sample:
                    _restore(server, kept)
                await server.start()
                await generator.command("sync", label=f"tail {sample + 1}")
                synced = await generator.event("doc_synced", sync_timeout)
                row.tail.append(cold_sync(synced, server.replayed_log_entries(document)))
                await (server.kill() if sample < samples - 1 else server.stop())
            for sample in range(samples):
                await server.start()
                await generator.command("sync", label=f"checkpointed {sample + 1}")
                synced = await generator.event("doc_synced", sync_timeout)
                row.checkpointed.append(cold_sync(synced, server.replayed_log_entries(document)))
                await server.stop()
            await generator.command("end")
            await generator.event("result", EVENT_TIMEOUT)
    finally:
        await server.stop()
    return row


async def store_documents(url: str, names: Sequence[str], typed: TypedUpdates) -> int:
    """Give every document the same typed updates and a checkpoint at the last, as a room
    that unloaded leaves them; the checkpoint's size in bytes."""
    async with bench_store(url) as store:
        pending = [PendingUpdate(name, update) for name in names for update in typed.updates]
        positions = await log_updates(store, pending)
        each = len(typed.updates)
        state = replay(await store.load(names[0])).get_update()
        for index, name in enumerate(names):
            await store.save_checkpoint(name, state, positions[(index + 1) * each - 1])
    return len(state)
