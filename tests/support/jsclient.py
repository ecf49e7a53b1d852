"""Real y-websocket clients for asyncio tests, driven through `tests/js/client.mjs`.

Verstas promises that *unmodified* Yjs clients work, so the integration tests talk to the server
through the very code browsers run (yjs, y-websocket, y-protocols), hosted by one long-running
Node process per `JsClient`. One process can hold many providers, each named by a caller-chosen
`id`; killing the process (`kill()`) drops all of its sockets at once without close frames,
which is how tests simulate a crashed browser or a cut network.

The driver speaks JSON lines; see the header of `tests/js/client.mjs`. Commands run concurrently
on the Node side, so a `wait_*` call does not block other calls made with `asyncio.gather`.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import json
import shutil
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Self, TypedDict

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
CLIENT_SCRIPT: Final = REPO_ROOT / "tests" / "js" / "client.mjs"
NODE_MODULES: Final = REPO_ROOT / "node_modules"

# Replies can carry whole document states (base64); asyncio's default 64 KiB line limit is too
# small for the large-document tests.
_LINE_LIMIT: Final = 256 * 1024 * 1024
_STDERR_TAIL_LINES: Final = 40
# How much longer than the driver-side timeout we wait for a `wait_*` reply, so that the
# driver's own, more informative timeout error (it names the last seen value) arrives first.
_WAIT_MARGIN: Final = 5.0

# Whatever `json.loads` returns: awareness states and map contents are caller-defined JSON.
JSONValue = Any
Edit = dict[str, Any]
"""An edit for the driver's `edit` command (see `JsClient.edit`)."""


class JsClientError(Exception):
    """A driver command failed, timed out, or the Node process is gone.

    The message carries the driver's own error text and the tail of Node's stderr, because a
    failing interop test is only debuggable with both sides of the story.
    """


class ProviderStatus(TypedDict):
    """The provider's connection flags as y-websocket itself reports them."""

    wsconnected: bool
    wsconnecting: bool
    synced: bool
    should_connect: bool
    bcconnected: bool


def node_executable() -> str:
    """Locate `node` and the installed npm packages, failing with the fix in the message."""
    node = shutil.which("node")
    if node is None:
        raise JsClientError("`node` is not on PATH; the JavaScript interop tests need Node 20+")
    if not (NODE_MODULES / "y-websocket").is_dir():
        raise JsClientError(f"{NODE_MODULES} lacks y-websocket: run `npm ci` in {REPO_ROOT}")
    return node


class JsClient:
    """One Node driver process hosting any number of y-websocket providers.

    Create it with `async with JsClient.start() as js:`; leaving the block ends the process
    (closing every provider cleanly unless `kill()` was used) and reaps it.
    """

    def __init__(self, process: asyncio.subprocess.Process, command_timeout: float) -> None:
        """Take over a started driver process; use `start()` rather than calling this."""
        self._process = process
        self._command_timeout = command_timeout
        self._seq = 0
        self._pending: dict[int, tuple[str, asyncio.Future[JSONValue]]] = {}
        self._events: list[dict[str, JSONValue]] = []
        self._unconsumed: list[dict[str, JSONValue]] = []
        self._events_changed = asyncio.Condition()
        self._stderr_lines: collections.deque[str] = collections.deque(maxlen=2000)
        self._gone: JsClientError | None = None
        self._killed = False
        self._stderr_task = asyncio.create_task(self._read_stderr())
        self._stdout_task = asyncio.create_task(self._read_stdout())

    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls, *, command_timeout: float = 10.0) -> AsyncIterator[Self]:
        """Spawn `node tests/js/client.mjs` and end it when the block exits.

        `command_timeout` bounds every plain command; `wait_*` calls take their own timeout.
        """
        process = await asyncio.create_subprocess_exec(
            node_executable(),
            str(CLIENT_SCRIPT),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=REPO_ROOT,
            limit=_LINE_LIMIT,
        )
        client = cls(process, command_timeout)
        try:
            yield client
        finally:
            await client.aclose()

    # ----------------------------------------------------------------------------- lifecycle

    @property
    def pid(self) -> int:
        """The Node process id, for logs."""
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        """Node's exit status once it has been reaped, else None."""
        return self._process.returncode

    @property
    def stderr(self) -> str:
        """Everything Node wrote to stderr so far (y-websocket warnings land here)."""
        return "".join(self._stderr_lines)

    def kill(self) -> None:
        """SIGKILL the Node process: its sockets vanish without close frames.

        Calls still waiting for a reply fail with `JsClientError` once the process is reaped.
        """
        if self._process.returncode is None:
            self._killed = True
            self._process.kill()

    async def aclose(self) -> None:
        """End the driver and reap it; idempotent.

        Closing stdin is the driver's exit signal: it destroys every provider, waits (at most a
        second) for the close handshakes and exits, so the server sees clean closes.
        """
        stdin = self._process.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.close()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                # The driver may already be gone (killed); the pipe error then says nothing new.
                await stdin.wait_closed()
        try:
            async with asyncio.timeout(5.0):
                await self._process.wait()
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
        await asyncio.gather(self._stdout_task, self._stderr_task)

    # ------------------------------------------------------------------------------- readers

    async def _read_stderr(self) -> None:
        stream = self._process.stderr
        assert stream is not None
        while line := await stream.readline():
            self._stderr_lines.append(line.decode("utf-8", errors="replace"))

    async def _read_stdout(self) -> None:
        stream = self._process.stdout
        assert stream is not None
        while line := await stream.readline():
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                self._stderr_lines.append(f"[python] non-JSON line on driver stdout: {line!r}\n")
                continue
            if not isinstance(message, dict):
                self._stderr_lines.append(f"[python] non-object line on stdout: {line!r}\n")
            elif "event" in message:
                await self._add_event(message)
            else:
                self._resolve(message)
        # EOF: the driver exited. Collect its last words before failing whoever still waits.
        returncode = await self._process.wait()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2.0):
                await asyncio.shield(self._stderr_task)
        how = "was killed" if self._killed else f"exited with code {returncode}"
        self._gone = self._error(f"node driver (pid {self._process.pid}) {how}")
        for cmd, future in self._pending.values():
            if not future.done():
                future.set_exception(self._error(f"{cmd}: node driver {how} before replying"))
        async with self._events_changed:
            self._events_changed.notify_all()

    def _resolve(self, message: dict[str, JSONValue]) -> None:
        seq = message.get("seq")
        if not isinstance(seq, int) or seq not in self._pending:
            # A reply to nothing we sent (e.g. to a call that already timed out) or a protocol
            # error without seq: keep it for the post-mortem.
            self._stderr_lines.append(f"[python] unmatched reply: {message!r}\n")
            return
        cmd, future = self._pending[seq]
        if future.done():
            return
        if message.get("ok") is True:
            future.set_result(message.get("result"))
        else:
            future.set_exception(self._error(f"{cmd}: {message.get('error')}"))

    async def _add_event(self, event: dict[str, JSONValue]) -> None:
        async with self._events_changed:
            self._events.append(event)
            self._unconsumed.append(event)
            self._events_changed.notify_all()

    def _error(self, message: str) -> JsClientError:
        tail = list(self._stderr_lines)[-_STDERR_TAIL_LINES:]
        if not tail:
            return JsClientError(message)
        return JsClientError(f"{message}\n--- node stderr (last lines) ---\n{''.join(tail)}")

    # ------------------------------------------------------------------------------ commands

    async def _call(
        self, cmd: str, fields: Mapping[str, JSONValue], *, timeout: float | None = None
    ) -> JSONValue:
        """Send one command and wait for its reply, bounded by `timeout` (else the default)."""
        if self._gone is not None:
            raise self._error(f"{cmd}: {self._gone.args[0].splitlines()[0]}")
        stdin = self._process.stdin
        assert stdin is not None
        self._seq += 1
        seq = self._seq
        future: asyncio.Future[JSONValue] = asyncio.get_running_loop().create_future()
        self._pending[seq] = (cmd, future)
        try:
            stdin.write((json.dumps({**fields, "seq": seq, "cmd": cmd}) + "\n").encode())
            try:
                await stdin.drain()
            except (BrokenPipeError, ConnectionResetError) as exc:
                raise self._error(f"{cmd}: cannot write to the node driver") from exc
            limit = self._command_timeout if timeout is None else timeout
            try:
                async with asyncio.timeout(limit):
                    return await future
            except TimeoutError:
                raise self._error(f"{cmd} {dict(fields)!r}: no reply within {limit} s") from None
        finally:
            del self._pending[seq]

    async def _wait_call(self, cmd: str, fields: Mapping[str, JSONValue], timeout: float) -> Any:
        return await self._call(
            cmd, {**fields, "timeout_ms": timeout * 1000}, timeout=timeout + _WAIT_MARGIN
        )

    async def ping(self) -> None:
        """Round-trip through the driver: proves it is alive and reading commands."""
        result = await self._call("ping", {})
        if result != "pong":
            raise JsClientError(f"ping: unexpected reply {result!r}")

    async def open(
        self, id: str, url: str, room: str, params: Mapping[str, str] | None = None
    ) -> int:
        """Create a fresh Y.Doc with a provider for `url`/`room` and return its clientID.

        The provider starts connecting at once; use `wait_synced` to know when it has synced.
        """
        fields: dict[str, JSONValue] = {"id": id, "url": url, "room": room}
        if params is not None:
            fields["params"] = dict(params)
        result = await self._call("open", fields)
        return int(result["client_id"])

    async def retarget(self, id: str, url: str) -> None:
        """Send the provider's next reconnects to another server (as a load balancer would)."""
        await self._call("retarget", {"id": id, "url": url})

    async def wait_synced(self, id: str, timeout: float = 10.0) -> None:
        """Wait until y-websocket reports `synced` (it got sync step 2 from the server)."""
        await self._wait_call("wait_synced", {"id": id}, timeout)

    async def insert(self, id: str, key: str, index: int, text: str) -> str:
        """Insert into `doc.getText(key)`; returns the local text afterwards."""
        result = await self._call("insert", {"id": id, "key": key, "index": index, "text": text})
        return str(result)

    async def delete(self, id: str, key: str, index: int, length: int) -> str:
        """Delete from `doc.getText(key)`; returns the local text afterwards."""
        result = await self._call(
            "delete", {"id": id, "key": key, "index": index, "length": length}
        )
        return str(result)

    async def text(self, id: str, key: str) -> str:
        """The local content of `doc.getText(key)`."""
        return str(await self._call("text", {"id": id, "key": key}))

    async def wait_text(
        self,
        id: str,
        key: str,
        *,
        equals: str | None = None,
        contains: str | None = None,
        timeout: float = 10.0,
    ) -> str:
        """Wait until the text equals and/or contains the given strings; returns the text.

        On timeout the error names the last value seen, which usually explains the failure.
        """
        if equals is None and contains is None:
            raise ValueError("wait_text needs equals= or contains=")
        fields: dict[str, JSONValue] = {"id": id, "key": key}
        if equals is not None:
            fields["equals"] = equals
        if contains is not None:
            fields["contains"] = contains
        return str(await self._wait_call("wait_text", fields, timeout))

    async def map_set(self, id: str, key: str, field: str, value: JSONValue) -> dict[str, Any]:
        """Set `doc.getMap(key)[field] = value`; returns the map's JSON afterwards."""
        result = await self._call("map_set", {"id": id, "key": key, "field": field, "value": value})
        return dict(result)

    async def map_get(self, id: str, key: str) -> dict[str, Any]:
        """`doc.getMap(key).toJSON()`."""
        return dict(await self._call("map_get", {"id": id, "key": key}))

    async def move(self, id: str, path: str, item: str, step: int) -> list[str]:
        """Move an item of the reorderable list at `path` (`model/components`, `ideas`) `step`
        places (negative: up) with the page's own code (web/client/order.js); returns the
        list's ids in order afterwards."""
        fields = {"id": id, "path": path, "item": item, "step": step}
        return [str(key) for key in await self._call("move", fields)]

    async def order(self, id: str, path: str) -> list[str]:
        """The ids of the reorderable list at `path` in the order the page shows them."""
        return [str(key) for key in await self._call("order", {"id": id, "path": path})]

    async def state(self, id: str) -> bytes:
        """`Y.encodeStateAsUpdate(doc)`: the whole local document as a v1 update."""
        return base64.b64decode(await self._call("state", {"id": id}))

    async def state_vector(self, id: str) -> bytes:
        """`Y.encodeStateVector(doc)`; equal vectors mean both sides saw the same edits."""
        return base64.b64decode(await self._call("state_vector", {"id": id}))

    async def set_awareness(self, id: str, state: JSONValue) -> None:
        """`awareness.setLocalState(state)`; `None` announces that this client left."""
        await self._call("set_awareness", {"id": id, "state": state})

    async def awareness(self, id: str) -> dict[int, JSONValue]:
        """All awareness states this provider knows, its own included, by clientID."""
        return _awareness_states(await self._call("awareness", {"id": id}))

    async def client_id(self, id: str) -> int:
        """The provider's `doc.clientID` (also its awareness client id)."""
        return int(await self._call("client_id", {"id": id}))

    async def wait_awareness(
        self,
        id: str,
        *,
        count: int | None = None,
        has_client: int | None = None,
        state: Mapping[str, JSONValue] | None = None,
        lacks_client: int | None = None,
        timeout: float = 10.0,
    ) -> dict[int, JSONValue]:
        """Wait until every given condition on the known awareness states holds; returns them.

        `state` (with `has_client`) also requires that client's state to equal it: a provider's
        initial `{}` state arrives at once, long before the state a test sets.
        """
        if state is not None and has_client is None:
            raise ValueError("wait_awareness: state= needs has_client=")
        fields: dict[str, JSONValue] = {"id": id}
        if state is not None:
            fields["state"] = dict(state)
        for name, value in (
            ("count", count),
            ("has_client", has_client),
            ("lacks_client", lacks_client),
        ):
            if value is not None:
                fields[name] = value
        if not {"count", "has_client", "lacks_client"} & fields.keys():
            raise ValueError("wait_awareness needs count=, has_client= or lacks_client=")
        return _awareness_states(await self._wait_call("wait_awareness", fields, timeout))

    async def disconnect(self, id: str) -> None:
        """`provider.disconnect()`: go offline, keep the document (edits queue locally)."""
        await self._call("disconnect", {"id": id})

    async def connect(self, id: str, *, edit_on_open: Edit | None = None) -> None:
        """`provider.connect()`: reconnect; y-websocket then resyncs offline edits.

        `edit_on_open` is made the moment the socket opens, before the server's sync step 1
        can arrive (see `edit`).
        """
        fields: dict[str, JSONValue] = {"id": id}
        if edit_on_open is not None:
            fields["edit_on_open"] = edit_on_open
        await self._call("connect", fields)

    async def edit(self, id: str, edit: Edit) -> None:
        """One edit of a shared type, its position a fraction of the type's current length:
        `{"op": "insert", "key": k, "at": 0.5, "text": "x"}`; the ops are listed beside
        `applyEdit` in tests/js/client.mjs."""
        await self._call("edit", {"id": id, "edit": edit})

    async def snapshot(
        self,
        id: str,
        *,
        texts: Sequence[str] = (),
        maps: Sequence[str] = (),
        arrays: Sequence[str] = (),
    ) -> dict[str, Any]:
        """What the named types hold: texts as deltas (formatting included), maps and arrays
        as JSON. Two replicas with equal state vectors may still differ here."""
        fields = {"id": id, "texts": list(texts), "maps": list(maps), "arrays": list(arrays)}
        return dict(await self._call("snapshot", fields))

    async def status(self, id: str) -> ProviderStatus:
        """The provider's own connection flags."""
        result = await self._call("status", {"id": id})
        return ProviderStatus(
            wsconnected=bool(result["wsconnected"]),
            wsconnecting=bool(result["wsconnecting"]),
            synced=bool(result["synced"]),
            should_connect=bool(result["should_connect"]),
            bcconnected=bool(result["bcconnected"]),
        )

    async def close(self, id: str) -> None:
        """`provider.destroy()` and drop the document; the id becomes free again."""
        await self._call("close", {"id": id})

    # -------------------------------------------------------------------------------- events

    def events(self, name: str | None = None, *, id: str | None = None) -> list[dict[str, Any]]:
        """Every event line received so far (consumed or not), optionally filtered."""
        return [e for e in self._events if _matches(e, name, id, None)]

    async def wait_event(
        self,
        name: str,
        *,
        id: str | None = None,
        where: Mapping[str, JSONValue] | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Return the oldest not-yet-returned event matching name, id and `where` fields.

        Events are buffered from the start, so an event that fired before this call is found;
        each is returned at most once, so successive calls see successive occurrences.
        Known events: `status` (`status`), `synced` (`synced`), `connection-close` (`code`,
        `reason`, `was_clean`, `local`; `code` is None when y-websocket closed the socket
        itself), `closed` (`code`, `reason`: a 4400-4499 close that stopped reconnection),
        `connection-error` (`message`), `permission-denied` (`reason`, `url`, `ids`).
        """

        def find() -> dict[str, Any] | None:
            for event in self._unconsumed:
                if _matches(event, name, id, where):
                    self._unconsumed.remove(event)
                    return event
            if self._gone is not None:
                raise self._error(f"wait_event {name!r} id={id!r}: {self._gone.args[0]}")
            return None

        found: dict[str, Any] | None = None
        try:
            async with asyncio.timeout(timeout), self._events_changed:
                while (found := find()) is None:
                    await self._events_changed.wait()
        except TimeoutError:
            seen = [e for e in self._events if id is None or e.get("id") == id]
            raise self._error(
                f"no {name!r} event for id={id!r} where={where!r} within {timeout} s; "
                f"events seen: {seen!r}"
            ) from None
        return found


def _matches(
    event: Mapping[str, Any],
    name: str | None,
    id: str | None,
    where: Mapping[str, Any] | None,
) -> bool:
    if name is not None and event.get("event") != name:
        return False
    if id is not None and event.get("id") != id:
        return False
    return where is None or all(event.get(k) == v for k, v in where.items())


def _awareness_states(raw: Mapping[str, JSONValue]) -> dict[int, JSONValue]:
    # JSON object keys are strings; clientIDs are integers everywhere else.
    return {int(client): state for client, state in raw.items()}
