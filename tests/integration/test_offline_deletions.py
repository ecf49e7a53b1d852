"""Issue 12: a deletion made offline and sent beside a repeat of known content is kept.

The client goes offline, deletes, reconnects and types the moment its socket opens, before the
server's sync step 1 arrives: it sends what it typed as an update, then answers the step 1 with
a step 2 holding that text again *and* the offline deletion. The step 2 leaves the server's
state vector as it was, and only its delete set changes the document.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from pycrdt import Text

from tests.integration.test_multi_node import two_nodes
from tests.support.databases import stored_in_postgres
from tests.support.jsclient import JsClient
from tests.support.pyclient import python_client
from tests.support.redis_server import running_redis
from tests.support.server import ServerProcess


async def _delete_offline_then_type_on_open(js: JsClient, witness: str) -> None:
    await js.insert("a", "t", 0, "hello world")
    await js.wait_text(witness, "t", equals="hello world")
    await js.disconnect("a")
    await js.delete("a", "t", 5, 6)
    await js.connect("a", edit_on_open={"op": "insert", "key": "t", "at": 1.0, "text": "!"})
    await js.wait_text(witness, "t", equals="hello!")
    await js.wait_text("a", "t", equals="hello!")


async def _duplicates(server: ServerProcess) -> float:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{server.http_url}/metrics")).text
    line = next(x for x in text.splitlines() if x.startswith("verstas_duplicate_updates_total "))
    return float(line.split()[1])


@pytest.mark.asyncio
async def test_an_offline_deletion_beside_a_repeat_reaches_peers_and_the_log(
    tmp_path: Path,
) -> None:
    server = ServerProcess(tmp_path)
    await server.start()
    try:
        async with JsClient.start() as js:
            await js.open("a", server.ws_url, "offline-delete")
            await js.open("b", server.ws_url, "offline-delete")
            await js.wait_synced("a")
            await js.wait_synced("b")
            await _delete_offline_then_type_on_open(js, "b")
            assert await _duplicates(server) == 0, "the step 2 carried a change: not a duplicate"
    finally:
        await server.stop()
    # A restart loads the document from the log alone: the deletion must be there.
    await server.start()
    try:
        async with python_client(server.http_url, "offline-delete") as doc:
            assert str(doc.get("t", type=Text)) == "hello!"
    finally:
        await server.stop()


@pytest.mark.asyncio
async def test_an_offline_deletion_beside_a_repeat_crosses_nodes(tmp_path: Path) -> None:
    room = f"offline-delete-{uuid.uuid4().hex[:12]}"
    async with (
        running_redis(tmp_path) as redis,
        two_nodes(tmp_path, redis) as (first, second),
        JsClient.start() as js,
    ):
        await js.open("a", first.ws_url, room)
        await js.open("b", second.ws_url, room)
        await js.wait_synced("a")
        await js.wait_synced("b")
        await _delete_offline_then_type_on_open(js, "b")
    stored = await stored_in_postgres(room)
    assert str(stored.get("t", type=Text)) == "hello!"
