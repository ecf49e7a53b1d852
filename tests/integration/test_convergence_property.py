"""A seeded property: whatever clients and the server go through, every replica converges.

Hypothesis draws a short program over three or four clients (at least two real y-websocket
providers in Node and one pycrdt client): inserts (non-ASCII included), deletes, disconnects,
offline edits, reconnects, settling, graceful server restarts (SIGTERM) and crashes (SIGKILL),
each on the same database. Afterwards everyone reconnects and must converge; then all clients,
a fresh client and an oracle (a pycrdt document into which every client's full state, taken at
the end of the program, is applied) must hold the same text. Across every crash, no edit that a
client had received before the crash may be missing from the restarted server.

Each example starts its own server on its own temporary database (function-scoped fixtures are
not reset between hypothesis examples). `derandomize=True` makes the examples the same on every
run; a failure prints the program (the falsifying example), every step as a note, and the tail
of the server log.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws
from hypothesis import HealthCheck, Phase, example, given, note, settings
from hypothesis import strategies as st
from pycrdt import Doc, Provider, Text

from tests.support.jsclient import JsClient, JsClientError
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess
from tests.support.yjs import decode_state_vector, missing_from

ROOM = "convergence-property"
KEY = "t"
# Basic Multilingual Plane only: JS indexes UTF-16 units, and a percentage of the length could
# otherwise land inside a surrogate pair.
ALPHABET = "abc xyzäöå✓€ßŁ"
POLL_INTERVAL = 0.02
SYNC_TIMEOUT = 10.0
# y-websocket reconnects after a restart with exponential backoff (capped at 2.5 s).
CONVERGE_TIMEOUT = 20.0
LOG_TAIL_LINES = 60
EDIT_ATTEMPTS = 20
SERVICE_RESTART = 1012  # the close code of a graceful shutdown
# What a y-websocket provider may see besides that: 1006, no close frame (killed, or not up yet).
EXPECTED_JS_CLOSE_CODES = {SERVICE_RESTART, 1006}


# ------------------------------------------------------------------------------------ program


@dataclass(frozen=True)
class Insert:
    client: int
    percent: int  # where, as a percentage of the client's current text length
    text: str


@dataclass(frozen=True)
class Delete:
    client: int
    percent: int
    length: int


@dataclass(frozen=True)
class Disconnect:
    client: int


@dataclass(frozen=True)
class Reconnect:
    client: int


@dataclass(frozen=True)
class Settle:
    """Wait until every online client holds the same state."""


@dataclass(frozen=True)
class RestartServer:
    """SIGTERM, then start again on the same database."""


@dataclass(frozen=True)
class KillServer:
    """SIGKILL, check that nothing any client had received is lost, start again."""


Step = Insert | Delete | Disconnect | Reconnect | Settle | RestartServer | KillServer


@dataclass(frozen=True)
class Program:
    kinds: tuple[str, ...]  # "js" or "py", one per client
    steps: tuple[Step, ...]


# How often each kind of step is drawn: mostly edits, now and then a server restart or crash.
STEP_WEIGHTS = {
    "insert": 6,
    "delete": 3,
    "disconnect": 2,
    "reconnect": 2,
    "settle": 1,
    "restart": 1,
    "kill": 1,
}


@st.composite
def programs(draw: st.DrawFn) -> Program:
    kinds = ("js", "js", "py", *draw(st.sampled_from([(), ("js",), ("py",)])))
    clients = st.integers(0, len(kinds) - 1)
    percents = st.integers(0, 100)
    strategies: dict[str, st.SearchStrategy[Step]] = {
        "insert": st.builds(Insert, clients, percents, st.text(ALPHABET, min_size=1, max_size=4)),
        "delete": st.builds(Delete, clients, percents, st.integers(1, 4)),
        "disconnect": st.builds(Disconnect, clients),
        "reconnect": st.builds(Reconnect, clients),
        "settle": st.just(Settle()),
        "restart": st.just(RestartServer()),
        "kill": st.just(KillServer()),
    }
    weighted = [name for name, weight in STEP_WEIGHTS.items() for _ in range(weight)]
    step = st.sampled_from(weighted).flatmap(strategies.__getitem__)
    return Program(kinds, tuple(draw(st.lists(step, min_size=8, max_size=25))))


# ----------------------------------------------------------------------------------- replicas


async def poll_until(condition: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    """`wait_until` for a condition that has to ask the Node driver."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(POLL_INTERVAL)


def char_range(text: str, percent: int, length: int) -> tuple[int, int]:
    """A start index from a percentage and a length clipped to the text (in characters)."""
    if length == 0:
        return min(len(text), round(len(text) * percent / 100)), 0
    start = min(len(text) - 1, round(len(text) * percent / 100))
    return start, min(length, len(text) - start)


class JsReplica:
    """A y-websocket provider; it reconnects by itself after a server restart."""

    def __init__(self, js: JsClient, name: str) -> None:
        self.js = js
        self.name = name
        self.client_id = 0
        self.online = False

    async def open(self, server: ServerProcess) -> None:
        self.client_id = await self.js.open(self.name, server.ws_url, ROOM)
        self.online = True
        await self.js.wait_synced(self.name, timeout=SYNC_TIMEOUT)

    async def text(self) -> str:
        return await self.js.text(self.name, KEY)

    async def insert(self, percent: int, text: str) -> None:
        async def insert(current: str) -> None:
            index, _ = char_range(current, percent, 0)
            await self.js.insert(self.name, KEY, index, text)

        await self._edit(insert)

    async def delete(self, percent: int, length: int) -> None:
        async def delete(current: str) -> None:
            if current:
                await self.js.delete(self.name, KEY, *char_range(current, percent, length))

        await self._edit(delete)

    async def _edit(self, edit: Callable[[str], Awaitable[None]]) -> None:
        """Edit at a position computed from the text, which remote updates may change meanwhile.

        The driver refuses a position beyond the end; then we read the text again.
        """
        for _ in range(EDIT_ATTEMPTS):
            try:
                await edit(await self.text())
            except JsClientError as exc:
                if "out of range" not in str(exc):
                    raise
            else:
                return
        raise AssertionError(f"{self.name}: the text kept changing under {EDIT_ATTEMPTS} edits")

    async def disconnect(self) -> None:
        await self.js.disconnect(self.name)
        self.online = False

    async def reconnect(self) -> None:
        await self.js.connect(self.name)
        self.online = True

    async def state_vector(self) -> dict[int, int]:
        return decode_state_vector(await self.js.state_vector(self.name))

    async def state(self) -> bytes:
        return await self.js.state(self.name)

    def unexpected_closes(self) -> list[dict[str, Any]]:
        """Closes that neither we (`disconnect`) nor a server restart or crash caused."""
        return [
            event
            for event in self.js.events("connection-close", id=self.name)
            if not event["local"] and event["code"] not in EXPECTED_JS_CLOSE_CODES
        ]


class _Channel:
    """pycrdt's `HttpxWebsocket`, except that it records how and when the socket ended.

    A real client reacts to a closed socket; `python_client`'s provider just stops reading,
    and httpx-ws answers the server's close frame only when the context is left, so a graceful
    shutdown would wait for its 5 s close timeout.

    Like y-websocket, it drops what it cannot send: the provider echoes every remote update
    back, so a send can race the server's close frame, and pycrdt's task group would cancel
    the read that is about to report the close code. The `Doc` keeps every edit; the next
    connection's sync delivers it.
    """

    def __init__(self, websocket: AsyncWebSocketSession, session: _Session) -> None:
        self._websocket = websocket
        self._session = session
        self._send_lock = asyncio.Lock()

    @property
    def path(self) -> str:
        return ROOM

    def __aiter__(self) -> _Channel:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await self.recv()
        except Exception as exc:
            self._session.ended_by = exc
            self._session.ended.set()
            raise StopAsyncIteration from None

    async def send(self, message: bytes) -> None:
        async with self._send_lock:
            try:
                await self._websocket.send_bytes(message)
            except Exception as exc:
                self._session.send_error = exc

    async def recv(self) -> bytes:
        return bytes(await self._websocket.receive_bytes())


@dataclass
class _Session:
    """One connection of a `PyReplica`."""

    synced: asyncio.Event = field(default_factory=asyncio.Event)
    leave: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)  # the socket is gone
    ended_by: Exception | None = None
    send_error: Exception | None = None
    task: asyncio.Task[None] | None = None
    server_gone: bool = False  # the test stopped or killed the server
    error: Exception | None = None


async def _first(*waits: Awaitable[object]) -> None:
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class PyReplica:
    """A pycrdt document; each connection is a pycrdt `Provider` over httpx-ws in its own task.

    The task keeps pycrdt's task group (which cancels its host when a send fails) away from the
    test's own task. Going offline leaves the provider context and keeps the `Doc`; so does a
    socket that the server closed or that died with it.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.doc: Doc[Any] = Doc()
        self.client_id: int = self.doc.client_id
        self._text = self.doc.get(KEY, type=Text)
        self._session: _Session | None = None

    @property
    def online(self) -> bool:
        return self._session is not None

    async def open(self, server: ServerProcess) -> None:
        await self.connect(server)

    async def connect(self, server: ServerProcess) -> None:
        """Connect (again) and wait until synced; a connection the server ended is judged."""
        if self._session is not None:
            if not self._session.ended.is_set() and self._session.send_error is None:
                return
            await self.disconnect()
        session = self._session = _Session()
        task = session.task = asyncio.create_task(self._run(server.http_url, session))

        async def settled() -> bool:
            return session.synced.is_set() or task.done()

        await poll_until(settled, SYNC_TIMEOUT, f"{self.name} to sync")
        if not session.synced.is_set():
            raise AssertionError(f"{self.name} could not connect") from session.error

    async def _run(self, http_url: str, session: _Session) -> None:
        try:
            websocket: AsyncWebSocketSession
            async with aconnect_ws(f"{http_url}/collab/{ROOM}") as websocket:
                channel = _Channel(websocket, session)
                async with Provider(self.doc, channel) as provider:
                    await _first(provider.synced.wait(), session.ended.wait())
                    if not session.ended.is_set():
                        session.synced.set()
                        await _first(session.leave.wait(), session.ended.wait())
        except Exception as exc:  # judged by `disconnect`: fine only if the server went away
            session.error = exc

    async def server_went_away(self) -> Exception | None:
        """The test stopped or killed the server: wait for the connection to end; how did it?"""
        session = self._session
        if session is None:
            return None
        session.server_gone = True
        task = session.task
        assert task is not None

        async def ended() -> bool:
            return session.ended.is_set() or task.done()

        await poll_until(ended, SYNC_TIMEOUT, f"{self.name} to notice that the server went away")
        return session.ended_by if session.ended.is_set() else session.error

    def forget_errors(self) -> None:
        if self._session is not None:
            self._session.server_gone = True

    async def disconnect(self) -> None:
        """Leave the provider context (pending updates are still sent if the socket lives)."""
        session = self._session
        if session is None:
            return
        self._session = None
        session.leave.set()
        assert session.task is not None
        async with asyncio.timeout(SYNC_TIMEOUT):
            await session.task
        if session.server_gone:
            return
        if session.ended.is_set():
            raise AssertionError(f"the server ended {self.name}'s connection") from (
                session.ended_by
            )
        if session.send_error is not None:
            raise AssertionError(f"{self.name} could not send") from session.send_error
        if session.error is not None:
            raise AssertionError(f"{self.name}'s connection failed") from session.error

    async def text(self) -> str:
        return str(self._text)

    async def insert(self, percent: int, text: str) -> None:
        current = str(self._text)
        index, _ = char_range(current, percent, 0)
        # pycrdt indexes text by UTF-8 bytes.
        self._text.insert(len(current[:index].encode()), text)

    async def delete(self, percent: int, length: int) -> None:
        current = str(self._text)
        if current:
            start, count = char_range(current, percent, length)
            first = len(current[:start].encode())
            del self._text[first : first + len(current[start : start + count].encode())]

    async def state_vector(self) -> dict[int, int]:
        return decode_state_vector(self.doc.get_state())

    async def state(self) -> bytes:
        update: bytes = self.doc.get_update()
        return update


Replica = JsReplica | PyReplica


# ------------------------------------------------------------------------------------- runner


class Run:
    def __init__(self, server: ServerProcess, replicas: list[Replica]) -> None:
        self.server = server
        self.replicas = replicas
        self.position = "start"

    async def reconnect(self, replica: Replica) -> None:
        if isinstance(replica, JsReplica):
            await replica.reconnect()
        else:
            await replica.connect(self.server)

    async def step(self, step: Step) -> None:
        if isinstance(step, Insert):
            await self.replicas[step.client].insert(step.percent, step.text)
        elif isinstance(step, Delete):
            await self.replicas[step.client].delete(step.percent, step.length)
        elif isinstance(step, Disconnect):
            await self.replicas[step.client].disconnect()
        elif isinstance(step, Reconnect):
            await self.reconnect(self.replicas[step.client])
        elif isinstance(step, Settle):
            await self.settle([r for r in self.replicas if r.online], "online clients to settle")
        elif isinstance(step, RestartServer):
            await self.restart(kill=False)
        else:
            await self.restart(kill=True)

    async def restart(self, *, kill: bool) -> None:
        if kill:
            await self.server.kill()
        else:
            await self.server.stop()
        py_online = [r for r in self.replicas if isinstance(r, PyReplica) and r.online]
        for replica in py_online:
            ended_by = await replica.server_went_away()
            if not kill:
                assert isinstance(ended_by, WebSocketDisconnect), (replica.name, ended_by)
                assert ended_by.code == SERVICE_RESTART, (replica.name, ended_by)
            await replica.disconnect()
        if not kill:
            # y-websocket providers reconnect by themselves, with backoff.
            await self.server.start()
        else:
            await self.check_nothing_received_was_lost()
        for replica in py_online:
            await replica.connect(self.server)

    async def check_nothing_received_was_lost(self) -> None:
        """What each client holds after the kill is all it can have received: it must be stored.

        The providers are taken offline first so that nothing is re-delivered before we look;
        the ones that were online come back afterwards.
        """
        js_online = [r for r in self.replicas if isinstance(r, JsReplica) and r.online]
        for js_replica in js_online:
            await js_replica.disconnect()
        seen = {replica.name: await replica.state_vector() for replica in self.replicas}
        await self.server.start()
        async with python_client(self.server.http_url, ROOM) as fresh:
            stored = decode_state_vector(fresh.get_state())
        for replica in self.replicas:
            lost = missing_from(stored, seen[replica.name], ignore=replica.client_id)
            assert lost == {}, f"{replica.name} had received edits the killed server lost: {lost}"
        for js_replica in js_online:
            await js_replica.reconnect()

    async def settle(self, replicas: list[Replica], what: str) -> None:
        async def same() -> bool:
            vectors = [await r.state_vector() for r in replicas]
            texts = {await r.text() for r in replicas}
            return len(texts) <= 1 and all(v == vectors[0] for v in vectors)

        await poll_until(same, CONVERGE_TIMEOUT, what)


async def run_program(program: Program, workdir: Path) -> None:
    server = ServerProcess(workdir)
    await server.start()
    run: Run | None = None
    try:
        async with JsClient.start() as js:
            replicas: list[Replica] = [
                JsReplica(js, f"c{i}") if kind == "js" else PyReplica(f"c{i}")
                for i, kind in enumerate(program.kinds)
            ]
            run = Run(server, replicas)
            try:
                for replica in replicas:
                    await replica.open(server)
                for number, step in enumerate(program.steps):
                    note(f"step {number}: {step}")
                    run.position = f"{number} ({step})"
                    await run.step(step)
                run.position = "end (convergence)"
                # Every client holds all of its own edits: the union is the truth.
                oracle: Doc[Any] = Doc()
                for replica in replicas:
                    oracle.apply_update(await replica.state())
                expected = str(oracle.get(KEY, type=Text))
                note(f"oracle text: {expected!r}")
                for replica in replicas:
                    await run.reconnect(replica)
                await run.settle(replicas, "every client to converge")
                texts = {r.name: await r.text() for r in replicas}
                assert set(texts.values()) == {expected}, texts
                async with python_client(server.http_url, ROOM) as fresh:
                    assert str(fresh.get(KEY, type=Text)) == expected
                vectors = {r.name: await r.state_vector() for r in replicas}
                oracle_vector = decode_state_vector(oracle.get_state())
                assert all(v == oracle_vector for v in vectors.values()), vectors
                for replica in replicas:
                    await replica.disconnect()
                    if isinstance(replica, JsReplica):
                        assert replica.unexpected_closes() == [], replica.name
            except BaseException:
                for replica in replicas:
                    if isinstance(replica, PyReplica):  # don't let a broken socket hide the cause
                        replica.forget_errors()
                        with contextlib.suppress(Exception):
                            await replica.disconnect()
                raise
    except Exception as exc:
        # On the exception itself, not a hypothesis note: an unreliable failure shows it too.
        tail = server.log_text().splitlines()[-LOG_TAIL_LINES:]
        exc.add_note(f"at step {run.position if run else 'start'} of {program}")
        exc.add_note("server log (tail):\n" + "\n".join(tail))
        raise
    finally:
        await server.stop()


EXAMPLE = Program(
    kinds=("js", "js", "py"),
    steps=(
        Insert(0, 0, "Toiminta"),
        Insert(2, 100, "malli ä✓"),
        Settle(),
        Disconnect(1),
        Disconnect(2),
        Insert(1, 50, "€offline"),
        Delete(2, 0, 3),
        Insert(0, 100, "ß"),
        KillServer(),
        Insert(0, 0, "Ł"),
        Reconnect(2),
        RestartServer(),
        Delete(0, 40, 4),
        Reconnect(1),
        Settle(),
        KillServer(),
    ),
)


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: one example takes seconds, and the drawn program with its notes is the report.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@example(program=EXAMPLE)
@given(program=programs())
def test_every_replica_converges(program: Program) -> None:
    with tempfile.TemporaryDirectory(prefix="verstas-property-") as workdir:
        asyncio.run(run_program(program, Path(workdir)))
