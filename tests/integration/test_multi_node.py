"""Two server processes on one PostgreSQL database and one Redis: any node serves any document.

Each test runs its own redis-server (so it can stop it) and uses document names of its own in
the shared database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Text

from tests.support.api import ApiClient
from tests.support.conditions import wait_for
from tests.support.databases import migrated_postgres, stored_in_postgres
from tests.support.jsclient import JsClient
from tests.support.pyclient import python_client
from tests.support.raw import raw_connect
from tests.support.redis_server import RedisServer, running_redis
from tests.support.server import ServerProcess, running_server
from tests.support.yjs import decode_state_vector, missing_from


@contextlib.asynccontextmanager
async def two_nodes(
    tmp_path: Path, redis: RedisServer
) -> AsyncIterator[tuple[ServerProcess, ServerProcess]]:
    database = await migrated_postgres()
    args = ["--redis-url", redis.url]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with (
        running_server(tmp_path / "a", database_url=database, args=args) as a,
        running_server(tmp_path / "b", database_url=database, args=args) as b,
    ):
        yield a, b


def _room() -> str:
    return f"multi-{uuid.uuid4().hex[:12]}"


def _operator_token(database_url: str) -> str:
    minted = subprocess.run(
        [
            *(sys.executable, "-m", "web", "operator-token"),
            "--name",
            "ops",
            "--database-url",
            database_url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    token: str = json.loads(minted.stdout)["token"]
    return token


async def _admin_nodes(server: ServerProcess, token: str) -> list[dict[str, Any]]:
    async with ApiClient(server.http_url) as api:
        response = await api.get("/api/admin/nodes", token=token)
    assert response.status_code == 200, response.text
    nodes: list[dict[str, Any]] = response.json()["nodes"]
    return nodes


async def _readiness(server: ServerProcess) -> str:
    async with httpx.AsyncClient() as client:
        status: str = (await client.get(f"{server.http_url}/readyz")).json()["status"]
        return status


async def _bus_healthy(server: ServerProcess) -> float:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{server.http_url}/metrics")).text
    line = next(x for x in text.splitlines() if x.startswith("verstas_bus_healthy "))
    return float(line.split()[1])


@pytest.mark.asyncio
async def test_edits_and_awareness_cross_nodes(tmp_path: Path) -> None:
    room = _room()
    async with (
        running_redis(tmp_path) as redis,
        two_nodes(tmp_path, redis) as (a, b),
        JsClient.start() as js,
    ):
        aino = await js.open("aino", a.ws_url, room)
        await js.open("bertta", b.ws_url, room)
        await js.wait_synced("aino")
        await js.wait_synced("bertta")
        await js.insert("aino", "t", 0, "Kotihoito ")
        await js.wait_text("bertta", "t", equals="Kotihoito ")
        await js.insert("bertta", "t", 10, "Oulussa")
        await js.wait_text("aino", "t", equals="Kotihoito Oulussa")
        # A deletion alone is an update without structs: it crosses too.
        await js.delete("aino", "t", 0, 5)
        await js.wait_text("bertta", "t", equals="oito Oulussa")
        await js.insert("aino", "t", 0, "Kotih")
        await js.wait_text("bertta", "t", equals="Kotihoito Oulussa")

        await js.set_awareness("aino", {"name": "Aino"})
        await js.wait_awareness("bertta", has_client=aino, state={"name": "Aino"})
        # A late joiner on the other node gets the content and who is present from that node.
        await js.open("cecilia", b.ws_url, room)
        await js.wait_text("cecilia", "t", equals="Kotihoito Oulussa")
        await js.wait_awareness("cecilia", has_client=aino, state={"name": "Aino"})
        # Any node shows operators every live node's documents and peers.
        token = _operator_token(a.database_url)

        async def node_b_reports_its_two_peers() -> bool:
            reports = await _admin_nodes(a, token)
            from_b = [r for r in reports if r["node_id"].endswith(f":{b.port}")]
            peers = [d["peers"] for r in from_b for d in r["documents"] if d["name"] == room]
            return len(reports) == 2 and peers == [2]

        await wait_for(node_b_reports_its_two_peers, timeout=15, what="node B in A's admin view")
        await js.close("aino")
        await js.wait_awareness("bertta", lacks_client=aino)
        assert await js.state_vector("bertta") == await js.state_vector("cecilia")

        # A document one node wrote and the other never loaded: read from the shared log.
        other = _room()
        await js.open("writer", a.ws_url, other)
        await js.wait_synced("writer")
        await js.insert("writer", "t", 0, "vain solmussa A")
        await js.open("watcher", a.ws_url, other)
        await js.wait_text("watcher", "t", equals="vain solmussa A")
        async with python_client(b.http_url, other) as doc:
            assert str(doc.get("t", type=Text)) == "vain solmussa A"
        assert await _readiness(a) == "ok"
        assert await _bus_healthy(b) == 1.0


async def _keep_editing(js: JsClient, id: str, stop: asyncio.Event) -> None:
    n = 0
    while not stop.is_set():
        await js.insert(id, "t", 0, f"{id}{n};")
        n += 1


@pytest.mark.asyncio
async def test_killed_node_loses_nothing_and_its_clients_move_on(tmp_path: Path) -> None:
    room = _room()
    async with running_redis(tmp_path) as redis, JsClient.start() as js:
        database = await migrated_postgres()
        args = ["--redis-url", redis.url]
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        a = ServerProcess(tmp_path / "a", database_url=database, args=args)
        await a.start()
        async with running_server(tmp_path / "b", database_url=database, args=args) as b:
            editors = ["a1", "a2", "b1"]
            ids = {name: await js.open(name, a.ws_url, room) for name in ("a1", "a2")}
            ids |= {name: await js.open(name, b.ws_url, room) for name in ("b1", "witness")}
            for name in ids:
                await js.wait_synced(name)
            stop = asyncio.Event()
            loops = [asyncio.create_task(_keep_editing(js, name, stop)) for name in editors]
            for name in editors:
                await js.wait_text("witness", "t", contains=f"{name}15;", timeout=15)
            await a.kill()
            seen = {name: decode_state_vector(await js.state_vector(name)) for name in ids}
            stop.set()
            await asyncio.gather(*loops)
            # a2 never comes back; a1 reconnects through the load balancer to node B.
            await js.close("a2")
            await js.retarget("a1", b.ws_url)
            # Every update any client had received is in PostgreSQL.
            stored = decode_state_vector((await stored_in_postgres(room)).get_state())
            for name, vector in seen.items():
                assert missing_from(stored, vector, ignore=ids[name]) == {}, name
            # Node B's peers get what the killed node committed but never published (B reads
            # the log periodically), and a1's edits that never reached a server: they converge.
            await js.wait_synced("a1", timeout=15)
            remaining = ["a1", "b1", "witness"]

            async def converged_on_everything_stored() -> bool:
                vectors = {await js.state_vector(name) for name in remaining}
                witness = decode_state_vector(await js.state_vector("witness"))
                return len(vectors) == 1 and missing_from(witness, stored) == {}

            await wait_for(
                converged_on_everything_stored,
                timeout=20,
                what="every remaining client to hold the same, and all that was stored",
            )
            final = await js.text("witness", "t")
            assert all(f"{name}15;" in final for name in editors)
            async with python_client(b.http_url, room) as fresh:
                assert str(fresh.get("t", type=Text)) == final


@pytest.mark.asyncio
async def test_nodes_resynchronise_after_redis_restarts(tmp_path: Path) -> None:
    room = _room()
    async with (
        running_redis(tmp_path) as redis,
        two_nodes(tmp_path, redis) as (a, b),
        JsClient.start() as js,
    ):
        await js.open("aino", a.ws_url, room)
        await js.open("bertta", b.ws_url, room)
        await js.wait_synced("aino")
        await js.wait_synced("bertta")
        await js.insert("aino", "t", 0, "alku.")
        await js.wait_text("bertta", "t", equals="alku.")

        await redis.stop()
        for node in (a, b):
            await wait_for(partial(_degraded, node), what=f"{node.port} degraded")
        # Each node goes on serving its own peers while the bus is down.
        await js.insert("aino", "t", 5, " A:n lisäys.")
        await js.insert("bertta", "t", 0, "B:n lisäys. ")
        await js.open("anni", a.ws_url, room)
        await js.wait_text("anni", "t", contains="A:n lisäys.")

        await redis.start()
        for node in (a, b):
            await wait_for(partial(_ready, node), timeout=15, what=f"{node.port} restored")
        final = "B:n lisäys. alku. A:n lisäys."
        for name in ("aino", "bertta", "anni"):
            await js.wait_text(name, "t", equals=final, timeout=15)
        # And the bus carries new edits again.
        await js.insert("bertta", "t", 0, "!")
        await js.wait_text("aino", "t", equals="!" + final)
    (tmp_path / "c").mkdir()
    async with (
        running_server(tmp_path / "c", database_url=await migrated_postgres()) as single,
        python_client(single.http_url, room) as doc,
    ):
        assert str(doc.get("t", type=Text)) == "!" + final


async def _degraded(server: ServerProcess) -> bool:
    return await _readiness(server) == "degraded" and await _bus_healthy(server) == 0.0


async def _ready(server: ServerProcess) -> bool:
    return await _readiness(server) == "ok" and await _bus_healthy(server) == 1.0


@pytest.mark.asyncio
async def test_revoking_a_link_on_one_node_closes_its_sockets_on_the_other(
    tmp_path: Path,
) -> None:
    async with (
        running_redis(tmp_path) as redis,
        two_nodes(tmp_path, redis) as (a, b),
        JsClient.start() as js,
        ApiClient(a.http_url) as api,
    ):
        body = {"title": "Monta solmua", "organisation": "Oulu"}
        created = (await api.post("/api/workshops", json=body)).json()
        wid, owner = created["id"], created["owner_token"]
        link = (
            await api.post(f"/api/workshops/{wid}/links", token=owner, json={"role": "editor"})
        ).json()
        await js.open("doomed", b.ws_url, wid, {"token": link["token"]})
        await js.open("stays", b.ws_url, wid, {"token": owner})
        await js.wait_synced("doomed")
        await js.wait_synced("stays")
        revoked = await api.delete(f"/api/workshops/{wid}/links/{link['id']}", token=owner)
        assert revoked.status_code == 204
        closed = await js.wait_event("connection-close", id="doomed", timeout=5)
        assert closed["code"] == 4403
        assert (await js.status("stays"))["wsconnected"]
        # Node B admitted that link a moment ago; it must not reuse what it read then.
        async with raw_connect(b.port, f"/collab/{wid}?token={link['token']}") as (status, _):
            assert status == 403
        # The same for a workshop made private on node A: anonymous readers are refused on B.
        async with raw_connect(b.port, f"/collab/{wid}") as (status, _):
            assert status == 101
        changed = await api.patch(
            f"/api/workshops/{wid}", token=owner, json={"visibility": "private"}
        )
        assert changed.status_code == 200

        async def anonymous_refused_on_b() -> bool:
            async with raw_connect(b.port, f"/collab/{wid}") as (status, _):
                return status == 401

        await wait_for(anonymous_refused_on_b, timeout=2, what="node B to forget the public row")
