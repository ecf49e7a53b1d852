"""A private `redis-server` on a free port, which a test may stop and start again.

The machine's shared Redis serves other test runs; stopping it mid-test would hit them, and
pub/sub channels ignore database numbers, so the multi-node tests run their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as redis
from redis.exceptions import RedisError

from tests.support.conditions import wait_for
from tests.support.server import free_port


def redis_server_binary() -> str:
    """The redis-server executable; missing, it skips locally and fails under CI."""
    found = shutil.which("redis-server")
    if found is None:
        reason = "redis-server is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true requires it")
        pytest.skip(reason)
    return found


class RedisServer:
    """`start()` waits until PING answers; `stop()` ends it (SIGTERM), keeping the port."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._workdir = workdir
        self._binary = redis_server_binary()
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            self._binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self._workdir),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await wait_for(self._answers, timeout=10, what=f"redis-server on port {self.port}")

    async def _answers(self) -> bool:
        client = redis.Redis.from_url(self.url)
        try:
            return bool(await client.ping())
        except (RedisError, OSError):
            return False
        finally:
            await client.aclose()

    async def stop(self) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            process.terminate()
            await process.wait()


@contextlib.asynccontextmanager
async def running_redis(workdir: Path) -> AsyncIterator[RedisServer]:
    server = RedisServer(workdir)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
