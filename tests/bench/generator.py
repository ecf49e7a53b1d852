"""The runner's side of `loadgen.mjs`: start it, read its events, answer with commands.

Why events and commands: the figures that matter are read from /proc at precise moments (all
clients synced, deliveries quiesced, all connected, all gone), which only the generator knows,
and the server must stay untouched while it is being read. So the generator stops at each such
moment and waits for the runner's "continue".
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final

from tests.bench.servers import REPO
from tests.support.jsclient import node_executable

SCRIPT: Final = Path(__file__).with_name("loadgen.mjs")
# Event lines can carry a whole result (latency summaries, failure lists): well under this.
_LINE_LIMIT: Final = 16 * 1024 * 1024

Event = dict[str, Any]


class GeneratorError(Exception):
    """The generator reported an error, exited, or went silent; carries its stderr's end."""


class LoadGenerator:
    """One running `loadgen.mjs` process."""

    def __init__(self, process: asyncio.subprocess.Process, stderr_path: Path) -> None:
        self._process = process
        self._stderr_path = stderr_path

    @property
    def pid(self) -> int:
        return self._process.pid

    def _stderr_tail(self) -> str:
        if not self._stderr_path.exists():
            return ""
        return self._stderr_path.read_text(errors="replace")[-3000:]

    async def event(self, expected: str, timeout: float) -> Event:
        """The next event, which must be `expected`; an "error" event raises with its message."""
        stdout = self._process.stdout
        assert stdout is not None
        try:
            line = await asyncio.wait_for(stdout.readline(), timeout)
        except TimeoutError:
            raise GeneratorError(
                f"no {expected!r} event from the load generator within {timeout} s:\n"
                f"{self._stderr_tail()}"
            ) from None
        if not line:
            code = await self._process.wait()
            raise GeneratorError(
                f"the load generator exited ({code}) before {expected!r}:\n{self._stderr_tail()}"
            )
        event: Event = json.loads(line)
        if event.get("event") == "error":
            raise GeneratorError(f"the load generator failed: {event.get('message')}")
        if event.get("event") != expected:
            raise GeneratorError(f"expected {expected!r}, got {event.get('event')!r}")
        return event

    async def command(self, cmd: str, **fields: str) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write((json.dumps({"cmd": cmd, **fields}) + "\n").encode())
        await stdin.drain()


@asynccontextmanager
async def load_generator(config: Mapping[str, Any], workdir: Path) -> AsyncIterator[LoadGenerator]:
    """Run the generator with `config`; on leaving, wait briefly for it, then kill it."""
    stderr_path = workdir / f"loadgen-{config['mode']}.log"
    with stderr_path.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            node_executable(),
            str(SCRIPT),
            json.dumps(dict(config)),
            cwd=REPO,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
            limit=_LINE_LIMIT,
        )
    try:
        yield LoadGenerator(process, stderr_path)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 10.0)
        except TimeoutError:
            process.kill()
            await process.wait()
