"""The three servers under test, each its own process, and what /proc says about a process.

Why separate processes: the figures that matter (CPU seconds per delivered update, RSS per
connection) are read per process from /proc, so nothing else may share the process being
measured. Each server gets a fresh port and, for Verstas, a fresh SQLite database, except in the
multi-node comparison: Verstas nodes on a shared PostgreSQL, with a private redis-server.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import os
import re
import shutil
import signal
import socket
import sys
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tests.support.jsclient import node_executable
from tests.support.reference_server import SERVER_SCRIPT

REPO: Final = Path(__file__).resolve().parents[2]
HOST: Final = "127.0.0.1"
_CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")
_POLL_INTERVAL: Final = 0.02


class ServerKind(enum.StrEnum):
    """Which server; the value is the name printed in tables and stored in the JSON."""

    VERSTAS = "verstas"
    # Verstas with `--sqlite-synchronous NORMAL`: commits on the loop, no fsync (README).
    VERSTAS_NORMAL = "verstas-normal"
    REFERENCE = "reference"
    PYCRDT = "pycrdt-websocket"

    @property
    def is_verstas(self) -> bool:
        return self in (ServerKind.VERSTAS, ServerKind.VERSTAS_NORMAL)


DEFAULT_SERVERS = (ServerKind.VERSTAS, ServerKind.REFERENCE, ServerKind.PYCRDT)


@dataclass(frozen=True, slots=True)
class ProcSample:
    """One reading of a process: CPU seconds (own and reaped children's), RSS, and when."""

    cpu_s: float
    rss_kib: int
    at: float

    @property
    def rss_mib(self) -> float:
        return self.rss_kib / 1024


def sample(pid: int) -> ProcSample:
    """Read utime+stime+cutime+cstime from /proc/PID/stat and VmRSS from /proc/PID/status.

    All threads are included (Verstas' writer and reader threads), and so are children the
    process has waited for. The kernel's work for Verstas' asynchronous WAL sync runs in a
    kernel worker: it shows in the "other CPU" column.
    """
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name may contain spaces: fields are counted after its closing parenthesis.
    fields = stat[stat.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17.
    ticks = sum(int(value) for value in fields[11:15])
    rss_kib = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kib = int(line.split()[1])
            break
    return ProcSample(cpu_s=ticks / _CLOCK_TICKS, rss_kib=rss_kib, at=time.monotonic())


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy (all cores, from the first line of /proc/stat).

    Other sessions may run test suites on the same 2 cores; the CPU that neither the server nor
    the generator used during a phase shows how much they disturbed it.
    """
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _CLOCK_TICKS


async def wait_for_quiet(threshold_pct: float, max_wait_s: float) -> float:
    """Wait until the machine was busy less than `threshold_pct` of one core for one second.

    Returns the last second's busy %, so the caller can say that it gave up waiting.
    """
    deadline = time.monotonic() + max_wait_s
    while True:
        start_busy, start = machine_busy_s(), time.monotonic()
        await asyncio.sleep(1.0)
        busy_pct = 100.0 * (machine_busy_s() - start_busy) / (time.monotonic() - start)
        if busy_pct < threshold_pct or time.monotonic() >= deadline:
            return busy_pct


def free_port() -> int:
    """A port that was free a moment ago (bind to 0); a race with another program is possible."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class ServerError(Exception):
    """A server did not start, or died; the message carries the end of its log."""


class BenchServer:
    """One server under test on a fixed port, which can be stopped, killed and started again.

    Verstas keeps its database in `workdir` across restarts (the cold-load scenario needs it);
    each start logs to a new file so that the latest start's log can be read on its own.
    """

    def __init__(
        self,
        kind: ServerKind,
        workdir: Path,
        verstas_limits: Mapping[str, float] | None = None,
        *,
        postgres_url: str | None = None,
        redis_url: str | None = None,
    ) -> None:
        """`verstas_limits` override Verstas' default limits (`--limit NAME=VALUE`).

        `postgres_url` replaces Verstas' fresh SQLite database; with `redis_url` too, this
        Verstas is one node of several sharing that database.
        """
        self.kind = kind
        self.workdir = workdir
        self.verstas_limits = dict(verstas_limits or {})
        self.postgres_url = postgres_url
        self.redis_url = redis_url
        self.port = free_port()
        self.database = workdir / "verstas.db"
        self._process: asyncio.subprocess.Process | None = None
        self._starts = 0

    @property
    def url(self) -> str:
        """Base URL; clients append `/ROOM`. The same shape works for all three servers."""
        return f"ws://{HOST}:{self.port}/collab"

    @property
    def pid(self) -> int:
        if self._process is None:
            raise ServerError(f"{self.kind} was never started")
        if self._process.returncode is not None:
            code = self._process.returncode
            raise ServerError(f"{self.kind} exited with {code}:\n{self.log_tail()}")
        return self._process.pid

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.kind}-{self._starts}.log"

    def log_tail(self, chars: int = 3000) -> str:
        path = self.log_path
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    @property
    def database_url(self) -> str:
        return self.postgres_url or f"sqlite+aiosqlite:///{self.database}"

    def _command(self) -> tuple[list[str], dict[str, str]]:
        if self.kind.is_verstas:
            url = self.database_url
            command = [sys.executable, "-m", "web", "serve", "--port", str(self.port)]
            if self.redis_url is not None:
                command += ["--redis-url", self.redis_url]
            # Any document name is served without a workshop, as by the other two servers
            # (`--open-documents`); workshop admission is not what this benchmark measures.
            env = {**os.environ, "PYTHONUNBUFFERED": "1", "VERSTAS_OPEN_DOCUMENTS": "1"}
            env["VERSTAS_SQLITE_SYNCHRONOUS"] = (
                "NORMAL" if self.kind is ServerKind.VERSTAS_NORMAL else "FULL"
            )
            if self.verstas_limits:
                # The environment form of repeated `--limit NAME=VALUE` options.
                env["VERSTAS_LIMITS"] = " ".join(f"{k}={v}" for k, v in self.verstas_limits.items())
            return [*command, "--database-url", url], env
        if self.kind is ServerKind.REFERENCE:
            # A minimal environment: nothing like YPERSISTENCE may leak in and change it.
            env = {"PATH": os.environ.get("PATH", ""), "HOST": HOST, "PORT": str(self.port)}
            return [node_executable(), str(SERVER_SCRIPT)], env
        command = [sys.executable, "-m", "tests.bench.pycrdt_server", "--port", str(self.port)]
        return command, dict(os.environ)

    async def start(self, timeout: float = 30.0) -> None:
        """Start the process and return once its port accepts TCP connections."""
        self._starts += 1
        if self.kind.is_verstas and not self.database.exists():
            await self._create_schema()
        command, env = self._command()
        with self.log_path.open("wb") as log:
            self._process = await asyncio.create_subprocess_exec(
                *command,
                cwd=REPO,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self._process.returncode is not None:
                raise ServerError(f"{self.kind} exited at start:\n{self.log_tail()}")
            try:
                _, writer = await asyncio.open_connection(HOST, self.port)
            except OSError:
                if time.monotonic() > deadline:
                    raise ServerError(
                        f"{self.kind} not accepting after {timeout} s:\n{self.log_tail()}"
                    ) from None
                await asyncio.sleep(_POLL_INTERVAL)
            else:
                writer.close()
                await writer.wait_closed()
                return

    async def _create_schema(self) -> None:
        """`verstas db upgrade`, as an operator runs it before the first start."""
        upgrade = [sys.executable, "-m", "web", "db", "upgrade", "--database-url"]
        with self.log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                *upgrade, self.database_url, cwd=REPO, stdout=log, stderr=log
            )
            if await process.wait() != 0:
                raise ServerError(f"{self.kind}: db upgrade failed:\n{self.log_tail()}")

    async def stop(self, timeout: float = 60.0) -> None:
        """SIGTERM (Verstas commits and checkpoints on the way out); SIGKILL after `timeout`."""
        await self._end(signal.SIGTERM, timeout)

    async def kill(self) -> None:
        """SIGKILL: nothing gets a chance to flush or checkpoint."""
        await self._end(signal.SIGKILL, 10.0)

    async def _end(self, sig: signal.Signals, timeout: float) -> None:
        process = self._process
        if process is None or process.returncode is not None:
            return
        process.send_signal(sig)
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise ServerError(f"{self.kind} ignored {sig.name} for {timeout} s") from None

    def replayed_log_entries(self, document: str) -> int | None:
        """How many log entries Verstas replayed on top of its checkpoint to load `document`.

        Read from the latest start's `document_loaded` log line; None when it is not there
        (another server, or the line changed).
        """
        if not self.log_path.exists():
            return None
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if (
                isinstance(record, dict)
                and record.get("event") == "document_loaded"
                and record.get("document") == document
                and isinstance(record.get("tail"), int)
            ):
                tail: int = record["tail"]
                return tail
        return None

    def database_bytes(self) -> int:
        """The SQLite database with its WAL: what the populated document costs on disk."""
        return sum(
            path.stat().st_size
            for path in (self.database, self.database.with_name(self.database.name + "-wal"))
            if path.exists()
        )


class BenchRedis:
    """A private redis-server on a free port, without persistence, for one multi-node run.

    Why private: pub/sub channels ignore database numbers, so on the machine's shared Redis the
    nodes would hear other test runs' messages and those runs theirs; and its own process is
    what lets its CPU be read from /proc like the nodes'.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self._process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    @property
    def pid(self) -> int:
        if self._process is None or self._process.returncode is not None:
            raise ServerError(f"redis-server is not running:\n{self._log_tail()}")
        return self._process.pid

    def _log_tail(self) -> str:
        path = self.workdir / "redis.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    async def start(self, timeout: float = 10.0) -> None:
        """Start it and return once it answers PING."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerError("redis-server is not installed (the multinode scenario needs it)")
        with (self.workdir / "redis.log").open("wb") as log:
            self._process = await asyncio.create_subprocess_exec(
                *(binary, "--port", str(self.port), "--bind", HOST),
                *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + timeout
        while not await self._answers_ping():
            if self._process.returncode is not None:
                raise ServerError(f"redis-server exited at start:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                raise ServerError(f"redis-server not answering after {timeout} s")
            await asyncio.sleep(_POLL_INTERVAL)

    async def _answers_ping(self) -> bool:
        try:
            reader, writer = await asyncio.open_connection(HOST, self.port)
        except OSError:
            return False
        try:
            writer.write(b"PING\r\n")
            await writer.drain()
            return await asyncio.wait_for(reader.readline(), 1.0) == b"+PONG\r\n"
        except (OSError, TimeoutError):
            return False
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM; SIGKILL after `timeout`."""
        process = self._process
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise ServerError(f"redis-server ignored SIGTERM for {timeout} s") from None


# A backend's process title: "postgres: CLUSTER: USER DATABASE HOST(CLIENT_PORT) STATE".
_BACKEND_TITLE: Final = re.compile(rb"^postgres: .*\((\d+)\)")


def _socket_inodes(pid: int) -> set[int]:
    inodes: set[int] = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed meanwhile
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(int(target[len("socket:[") : -1]))
    return inodes


def postgres_backends(client_pids: Iterable[int], postgres_url: str) -> list[int]:
    """The local PostgreSQL backend processes serving these processes' database connections.

    Why: on PostgreSQL much of each commit's CPU is spent in its backend, outside Verstas; read
    apart, it is neither hidden in "other" (which flags a run as disturbed) nor lost. The
    clients' sockets connected to the database's port (their inodes, in /proc/net/tcp and
    tcp6) give the client ports, which backend titles show. Empty when PostgreSQL runs on
    another machine or does not update its process titles.
    """
    postgres_port = urllib.parse.urlsplit(postgres_url).port or 5432
    inodes: set[int] = set()
    for pid in client_pids:
        inodes |= _socket_inodes(pid)
    client_ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                # Addresses are HEXADDR:HEXPORT; the inode is the 10th field.
                fields = line.split()
                local, remote, inode = fields[1], fields[2], int(fields[9])
                if inode in inodes and int(remote.rsplit(":", 1)[1], 16) == postgres_port:
                    client_ports.add(int(local.rsplit(":", 1)[1], 16))
    backends: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        match = _BACKEND_TITLE.match(title)
        if match is not None and int(match.group(1)) in client_ports:
            backends.append(int(entry.name))
    return backends
