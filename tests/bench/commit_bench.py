"""What one durable commit costs on this machine's disk: not a test.

    .venv/bin/python -m tests.bench.commit_bench [--commits 500] [--folder PATH]

Two tables, in a fresh folder (default: a temporary one on the disk of the working tree):

1. The disk: `fdatasync` of one rewritten 4 KiB block, back to back and after a pause of 2 and
   10 ms (what a sparse room's commits see), p50 / p99. Only the disk and the kernel: the lower
   bound of a commit that waits for the disk.
2. The store: `SqliteStore.append` of one update per commit under the event loop the server
   runs (uvloop), with `synchronous=FULL` (the default: committed on the loop, the WAL synced
   through Linux AIO, documents/store/sql/wal_sync.py) and `NORMAL` (no sync), back to back and
   10 ms apart: CPU of this process per commit (all threads; the kernel's work for an AIO
   sync runs in a kernel worker and is not in it) and latency p50 / p99.

Figures only; it asserts nothing. Run it on a quiet machine: the latencies are the disk's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvloop

from documents.store.factory import create_store
from documents.store.log import PendingUpdate
from tests.support.databases import migrated_sqlite
from web.logs import configure_logging
from web.settings import SqliteSynchronous

PAUSES = (0.0, 0.002, 0.010)
BLOCK = 4096


def percentiles(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return f"{p50:7.3f} / {p99:7.3f}"


def disk_table(folder: Path, commits: int) -> None:
    path = folder / "blocks.bin"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.pwrite(fd, bytes(BLOCK * 256), 0)
        os.fsync(fd)
        print(f"{'fdatasync of one rewritten 4 KiB block':<48} p50 / p99 ms")
        for pause in PAUSES:
            waits = []
            for number in range(commits):
                os.pwrite(fd, os.urandom(BLOCK), (number % 256) * BLOCK)
                start = time.perf_counter()
                os.fdatasync(fd)
                waits.append(time.perf_counter() - start)
                if pause:
                    time.sleep(pause)
            label = f"{pause * 1000:.0f} ms apart"
            print(f"  {label:<46} {percentiles(waits)}")
    finally:
        os.close(fd)


async def timed_commits(
    append: Callable[[list[PendingUpdate]], Awaitable[list[int]]], commits: int, pause: float
) -> tuple[float, list[float]]:
    """CPU seconds of this process per commit, and each commit's latency."""
    waits = []
    cpu = 0.0
    for number in range(commits):
        update = [PendingUpdate("bench-commit", os.urandom(40) + number.to_bytes(4, "big"))]
        begin_cpu = time.process_time()
        start = time.perf_counter()
        await append(update)
        waits.append(time.perf_counter() - start)
        cpu += time.process_time() - begin_cpu
        if pause:
            await asyncio.sleep(pause)
    return cpu / commits, waits


async def store_table(folder: Path, commits: int) -> None:
    print("SqliteStore.append, one update per commit   CPU µs/commit   p50 / p99 ms")
    modes: tuple[SqliteSynchronous, ...] = ("FULL", "NORMAL")
    for synchronous in modes:
        for pause in (0.0, 0.010):
            url = migrated_sqlite(folder / f"{synchronous}-{pause}.db")
            store = create_store(url, sqlite_synchronous=synchronous)
            await store.open()
            try:
                await timed_commits(store.append, 20, 0.0)  # warm: connection, WAL, AIO
                cpu, waits = await timed_commits(store.append, commits, pause)
            finally:
                await store.close()
            label = f"{synchronous}, {pause * 1000:.0f} ms apart"
            print(f"  {label:<40} {cpu * 1e6:8.0f}        {percentiles(waits)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=500)
    parser.add_argument("--folder", type=Path, default=None, help="default: a temporary one")
    args = parser.parse_args()
    configure_logging("warning")  # the store's debug lines would break the tables
    with tempfile.TemporaryDirectory(dir=args.folder or Path.cwd()) as name:
        folder = Path(name)
        disk_table(folder, args.commits)
        uvloop.run(store_table(folder, args.commits))


if __name__ == "__main__":
    main()
