"""A real `verstas serve` process on a free port, for integration tests.

Tests talk to it only over the network, like real clients, and can stop it gracefully
(SIGTERM), kill it (SIGKILL) and start it again on the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from tests.support.databases import migrated_sqlite

REPO = Path(__file__).resolve().parents[2]
POLL_INTERVAL = 0.05


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """One server process; `start()` waits until /healthz answers."""

    def __init__(
        self,
        workdir: Path,
        *,
        database_url: str | None = None,
        args: Sequence[str] = (),
        open_documents: bool = True,
    ):
        self.workdir = workdir
        self.port = free_port()
        # By default a SQLite database at the head schema revision, as `verstas db upgrade`
        # leaves it; tests of the refusal to start pass a database that is not.
        self.database_url = database_url or migrated_sqlite(workdir / "verstas.db")
        # The sync-core tests use free document names, as generic Yjs tools do.
        self.args = [*args, "--open-documents"] if open_documents else list(args)
        self.log_path = workdir / "server.log"
        self._process: asyncio.subprocess.Process | None = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """The y-websocket `serverUrl`: the document name is appended after a slash."""
        return f"ws://127.0.0.1:{self.port}/collab"

    @property
    def returncode(self) -> int | None:
        """The exit status once the process has ended (negative: the signal that ended it)."""
        return self._process.returncode if self._process is not None else None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_records(self) -> list[dict[str, Any]]:
        """The server's JSON log lines, read (how they are spaced is the renderer's business)."""
        return [json.loads(line) for line in self.log_text().splitlines() if line.startswith("{")]

    async def start(self, timeout: float = 20.0) -> None:
        log = self.log_path.open("ab")
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "web",
            "serve",
            "--port",
            str(self.port),
            "--database-url",
            self.database_url,
            *self.args,
            cwd=self.workdir,
            stdout=log,
            stderr=log,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        log.close()
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while True:
                if self._process.returncode is not None:
                    raise RuntimeError(f"server exited at start:\n{self.log_text()[-4000:]}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{self.http_url}/healthz")).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"server not ready:\n{self.log_text()[-4000:]}")
                await asyncio.sleep(POLL_INTERVAL)

    async def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait: the graceful path (peers closed with 1012, all committed).

        uvicorn re-raises the signal after its graceful shutdown, so the exit status is -15.
        """
        return await self._end(signal.SIGTERM, timeout)

    async def kill(self) -> int:
        """SIGKILL: the crash path; nothing gets a chance to flush."""
        return await self._end(signal.SIGKILL, 10.0)

    async def _end(self, sig: signal.Signals, timeout: float) -> int:
        process = self._process
        if process is None or process.returncode is not None:
            return process.returncode if process and process.returncode is not None else 0
        process.send_signal(sig)
        try:
            return await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise


@contextlib.asynccontextmanager
async def running_server(
    workdir: Path,
    *,
    database_url: str | None = None,
    args: Sequence[str] = (),
    open_documents: bool = True,
) -> AsyncIterator[ServerProcess]:
    server = ServerProcess(
        workdir, database_url=database_url, args=args, open_documents=open_documents
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
