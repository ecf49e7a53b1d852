"""A seeded stress with unmodified yjs + y-websocket clients: every replica converges and the
server keeps every change, deletions included.

Each scenario draws, from its own seed, 2 to `VERSTAS_STRESS_MAX_CLIENTS` clients and a run of
steps over two texts, a map and an array: inserts, deletes, formatting, map sets and deletes,
array inserts and deletes, offline periods, reconnects that edit the moment their socket opens
(before the server's sync step 1: the step 2 then repeats that edit beside the offline ones),
and at most one server restart, by SIGTERM or by SIGKILL. Then everyone reconnects and all
replicas must hold the same content (compared as content, formatting included: equal state
vectors do not prove equal documents, since a delete set never moves a state vector); a fresh
client must get it from the server, and again after a restart, from the database alone.

CI runs a few scenarios. By hand, hundreds (each has its own server, so -n spreads them):

    VERSTAS_STRESS_SCENARIOS=400 .venv/bin/pytest -n 2 tests/integration/test_convergence_stress.py

`VERSTAS_STRESS_SEED` moves the whole series; a failing scenario's id is its seed, and its
steps are printed, so one scenario can be run again alone.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.conditions import wait_for
from tests.support.jsclient import Edit, JsClient
from tests.support.server import ServerProcess

SCENARIOS = int(os.environ.get("VERSTAS_STRESS_SCENARIOS", "6"))
FIRST_SEED = int(os.environ.get("VERSTAS_STRESS_SEED", "1200"))
MAX_CLIENTS = int(os.environ.get("VERSTAS_STRESS_MAX_CLIENTS", "4"))
TEXTS = ("t", "u")
MAPS = ("m",)
ARRAYS = ("a",)
ALPHABET = "abc xyzäöå✓€"
CONVERGE_TIMEOUT = 30.0  # y-websocket's reconnect backoff after a restart is capped at 2.5 s


@dataclass(frozen=True)
class EditStep:
    client: int
    edit: Edit


@dataclass(frozen=True)
class Offline:
    client: int


@dataclass(frozen=True)
class Online:
    client: int
    edit_on_open: Edit | None


@dataclass(frozen=True)
class Restart:
    kill: bool


Step = EditStep | Offline | Online | Restart


def _edit(rng: random.Random) -> Edit:
    word = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 5)))
    at = rng.random()
    kind = rng.choices(
        ["insert", "delete", "format", "map_set", "map_delete", "array_insert", "array_delete"],
        weights=[30, 25, 8, 12, 5, 12, 8],
    )[0]
    if kind in ("insert", "delete", "format"):
        edit: Edit = {"op": kind, "key": rng.choice(TEXTS), "at": at}
        if kind == "insert":
            edit["text"] = word
        else:
            edit["length"] = rng.randint(1, 4)
        if kind == "format":
            edit["attrs"] = {rng.choice(["bold", "italic"]): rng.choice([True, None])}
        return edit
    if kind in ("map_set", "map_delete"):
        edit = {"op": kind, "key": MAPS[0], "field": rng.choice("pqrs")}
        if kind == "map_set":
            edit["value"] = rng.choice([word, rng.randint(0, 99), {"nested": word}])
        return edit
    if kind == "array_insert":
        return {"op": kind, "key": ARRAYS[0], "at": at, "values": [word, rng.randint(0, 9)]}
    return {"op": kind, "key": ARRAYS[0], "at": at, "length": rng.randint(1, 2)}


def draw(seed: int) -> tuple[int, list[Step]]:
    """The clients and steps of one scenario: the same for the same seed, on every machine.

    An offline period is drawn whole: the client leaves, edits (deletions likelier: their loss
    is the one a state vector cannot see) while others edit too, and comes back, mostly editing
    the moment its socket opens.
    """
    rng = random.Random(seed)
    clients = rng.randint(2, max(2, MAX_CLIENTS))
    steps: list[Step] = []
    restart_at = rng.randint(5, 30) if rng.random() < 0.6 else -1
    length = rng.randint(20, 40)
    while len(steps) < length:
        if len(steps) >= restart_at >= 0 and not any(isinstance(s, Restart) for s in steps):
            steps.append(Restart(kill=rng.random() < 0.5))
        client = rng.randrange(clients)
        if rng.random() < 0.25:
            steps.append(Offline(client))
            for _ in range(rng.randint(1, 4)):
                editor = client if rng.random() < 0.6 else rng.randrange(clients)
                edit = _edit(rng)
                if editor == client and rng.random() < 0.5:
                    edit = {"op": "delete", "key": rng.choice(TEXTS), "at": rng.random()}
                    edit["length"] = rng.randint(1, 6)
                steps.append(EditStep(editor, edit))
            steps.append(Online(client, _edit(rng) if rng.random() < 0.8 else None))
        else:
            steps.append(EditStep(client, _edit(rng)))
    return clients, steps


async def _snapshot(js: JsClient, name: str) -> dict[str, Any]:
    return await js.snapshot(name, texts=TEXTS, maps=MAPS, arrays=ARRAYS)


async def _fresh_snapshot(js: JsClient, server: ServerProcess, room: str, name: str) -> Any:
    await js.open(name, server.ws_url, room)
    await js.wait_synced(name, timeout=10)
    return await _snapshot(js, name)


@pytest.mark.asyncio
@pytest.mark.parametrize("seed", range(FIRST_SEED, FIRST_SEED + SCENARIOS))
async def test_real_clients_converge_and_the_server_keeps_every_change(
    tmp_path: Path, seed: int
) -> None:
    clients, steps = draw(seed)
    print(f"scenario {seed}: {clients} clients", *steps, sep="\n  ")
    room = f"stress-{seed}"
    names = [f"c{index}" for index in range(clients)]
    server = ServerProcess(tmp_path)
    await server.start()
    try:
        async with JsClient.start() as js:
            for name in names:
                await js.open(name, server.ws_url, room)
            for name in names:
                await js.wait_synced(name, timeout=10)
            offline: set[str] = set()
            for step in steps:
                if isinstance(step, EditStep):
                    await js.edit(names[step.client], step.edit)
                elif isinstance(step, Offline):
                    await js.disconnect(names[step.client])
                    offline.add(names[step.client])
                elif isinstance(step, Online):
                    await js.connect(names[step.client], edit_on_open=step.edit_on_open)
                    offline.discard(names[step.client])
                elif step.kill:
                    await server.kill()
                    await server.start()
                else:
                    await server.stop()
                    await server.start()
            for name in offline:
                await js.connect(name)
            snapshots: list[dict[str, Any]] = []

            async def converged() -> bool:
                snapshots[:] = [await _snapshot(js, name) for name in names]
                return all(each == snapshots[0] for each in snapshots)

            await wait_for(converged, CONVERGE_TIMEOUT, f"the {clients} clients to converge")
            agreed = snapshots[0]
            assert await _fresh_snapshot(js, server, room, "fresh") == agreed
        await server.stop()
        await server.start()  # the document comes back from the database alone
        async with JsClient.start() as js:
            assert await _fresh_snapshot(js, server, room, "after-restart") == agreed
    finally:
        await server.stop()
