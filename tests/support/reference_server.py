"""The Node reference server (`@y/websocket-server` 0.1.1) on a free local port.

Why run it at all: it is the behaviour real Yjs clients are built against. Tests of the JS
harness run against it, so a harness bug cannot hide behind a Verstas bug (or the reverse), and
benchmarks use it as the baseline. It keeps rooms in memory only (no YPERSISTENCE), and it
takes the whole URL path as the room name, so `ws://127.0.0.1:PORT/collab` + room `r` is the
room `collab/r` there: the same client URLs work against it and against Verstas.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Final

from tests.support.jsclient import NODE_MODULES, node_executable

# package.json "bin" of @y/websocket-server 0.1.1; it reads HOST and PORT from the environment.
SERVER_SCRIPT: Final = NODE_MODULES / "@y" / "websocket-server" / "src" / "server.js"
# Variables that would make the reference server persist or call out; tests want neither.
_SCRUBBED_ENV: Final = ("YPERSISTENCE", "CALLBACK_URL", "CALLBACK_OBJECTS", "GC")


class ReferenceServerError(Exception):
    """The reference server did not come up; the message carries its output."""


@dataclass(frozen=True)
class ReferenceServer:
    """Where the running reference server listens."""

    host: str
    port: int

    @property
    def url(self) -> str:
        """Base URL for `WebsocketProvider`, shaped like Verstas' `ws://host:port/collab`."""
        return f"ws://{self.host}:{self.port}/collab"


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (the usual bind-to-0 trick; a race is possible)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


async def _drain(stream: asyncio.StreamReader | None, sink: collections.deque[str]) -> None:
    # The server's pipes must be read or it could block on a full pipe buffer.
    if stream is None:
        return
    while line := await stream.readline():
        sink.append(line.decode("utf-8", errors="replace"))


@contextlib.asynccontextmanager
async def reference_server(
    host: str = "127.0.0.1", startup_timeout: float = 10.0
) -> AsyncIterator[ReferenceServer]:
    """Run `@y/websocket-server` until the block exits; yield once it accepts connections."""
    if not SERVER_SCRIPT.is_file():
        raise ReferenceServerError(f"{SERVER_SCRIPT} is missing: run `npm ci` at the repo root")
    port = free_port(host)
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env.update(HOST=host, PORT=str(port))
    process = await asyncio.create_subprocess_exec(
        node_executable(),
        str(SERVER_SCRIPT),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd=SERVER_SCRIPT.parent,
    )
    output: collections.deque[str] = collections.deque(maxlen=500)
    drain = asyncio.create_task(_drain(process.stdout, output))
    try:
        await _wait_accepting(host, port, process, output, startup_timeout)
        yield ReferenceServer(host, port)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
        await drain


async def _wait_accepting(
    host: str,
    port: int,
    process: asyncio.subprocess.Process,
    output: collections.deque[str],
    timeout: float,
) -> None:
    """Poll the port until a TCP connect succeeds; fail fast if the server process died."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        if process.returncode is not None:
            raise ReferenceServerError(
                f"reference server exited with {process.returncode}: {''.join(output)}"
            )
        try:
            _, writer = await asyncio.open_connection(host, port)
        except OSError:
            if time.monotonic() >= deadline:
                raise ReferenceServerError(
                    f"reference server not accepting on {host}:{port} after {timeout} s: "
                    f"{''.join(output)}"
                ) from None
            await asyncio.sleep(delay)  # polling interval, not a wait for an outcome
            delay = min(delay * 2, 0.1)
        else:
            writer.close()
            await writer.wait_closed()
            return
