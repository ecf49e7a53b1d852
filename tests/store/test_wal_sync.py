"""Syncing the writer's WAL file ourselves: through the kernel's AIO, else in a thread."""

from __future__ import annotations

import asyncio
import errno
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from documents.store.sql.wal_sync import KernelSync, WalFile

LINUX_AIO = sys.platform == "linux" and platform.machine() in {"x86_64", "aarch64"}


class Handoffs:
    """The writer thread's hand-off, without the thread: counts what is handed over."""

    def __init__(self) -> None:
        self.jobs = 0

    async def __call__(self, job: Callable[[], None]) -> None:
        self.jobs += 1
        job()


@pytest.mark.asyncio
@pytest.mark.skipif(not LINUX_AIO, reason="Linux AIO numbers are known for x86_64 and aarch64")
async def test_a_file_is_synced_through_the_kernel_and_several_syncs_may_be_in_flight(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db-wal"
    path.write_bytes(b"frames")
    wal = WalFile(str(path))
    thread = Handoffs()
    try:
        await asyncio.wait_for(asyncio.gather(*(wal.sync(thread) for _ in range(12))), 10)
        await asyncio.wait_for(wal.sync(thread), 10)  # the loop watches again after a pause
    finally:
        wal.close()
    assert thread.jobs == 0  # no sync went to the thread


@pytest.mark.asyncio
async def test_a_sync_the_kernel_cannot_do_falls_back_to_the_thread_and_fails_there() -> None:
    """A device without fsync: the kernel refuses the AIO probe, so the sync goes to the
    thread, where fdatasync fails as it would for the WAL on a broken disk: the error reaches
    the caller, which must not count the commit as durable."""
    wal = WalFile(os.devnull)
    thread = Handoffs()
    try:
        with pytest.raises(OSError, match=os.strerror(errno.EINVAL)):
            await wal.sync(thread)
    finally:
        wal.close()
    assert thread.jobs == 1


@pytest.mark.skipif(not LINUX_AIO, reason="Linux AIO numbers are known for x86_64 and aarch64")
def test_the_kernel_sync_refuses_a_descriptor_that_cannot_be_synced() -> None:
    descriptor = os.open(os.devnull, os.O_RDONLY)
    try:
        with pytest.raises(OSError, match=os.strerror(errno.EINVAL)):
            KernelSync(descriptor)
    finally:
        os.close(descriptor)
