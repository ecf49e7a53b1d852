"""Unmodified yjs + y-websocket clients against the server: sync, offline edits, awareness."""

from __future__ import annotations

import pytest
from pycrdt import Text

from tests.support.jsclient import JsClient
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess


@pytest.mark.asyncio
async def test_two_js_clients_editing_concurrently_converge(server: ServerProcess) -> None:
    async with JsClient.start() as js:
        await js.open("a", server.ws_url, "concurrent")
        await js.open("b", server.ws_url, "concurrent")
        await js.wait_synced("a")
        await js.wait_synced("b")
        for round_ in range(20):
            await js.insert("a", "t", 0, f"a{round_};")
            await js.insert("b", "t", 0, f"b{round_};")
        final = await js.wait_text("a", "t", contains="a19;")
        await js.wait_text("b", "t", contains="a19;")
        final = await js.wait_text("a", "t", contains="b19;")
        assert await js.wait_text("b", "t", equals=final) == final
        assert len(final) == 2 * sum(len(f"x{i};") for i in range(20))


@pytest.mark.asyncio
async def test_js_and_python_clients_converge(server: ServerProcess) -> None:
    async with JsClient.start() as js, python_client(server.http_url, "mixed") as pydoc:
        await js.open("a", server.ws_url, "mixed")
        await js.wait_synced("a")
        pydoc.get("t", type=Text).insert(0, "python ")
        await js.wait_text("a", "t", equals="python ")
        await js.insert("a", "t", 7, "javascript")
        text = pydoc.get("t", type=Text)
        await js.wait_text("a", "t", equals="python javascript")
        async with python_client(server.http_url, "mixed") as fresh:
            assert str(fresh.get("t", type=Text)) == "python javascript"
        assert str(text) == "python javascript"


@pytest.mark.asyncio
async def test_offline_edits_arrive_after_reconnect(server: ServerProcess) -> None:
    async with JsClient.start() as js:
        await js.open("a", server.ws_url, "offline")
        await js.open("b", server.ws_url, "offline")
        await js.wait_synced("a")
        await js.wait_synced("b")
        await js.insert("a", "t", 0, "shared ")
        await js.wait_text("b", "t", equals="shared ")
        await js.disconnect("a")
        await js.insert("a", "t", 7, "offline")
        await js.insert("b", "t", 0, "online ")
        await js.connect("a")
        merged = await js.wait_text("b", "t", contains="offline")
        assert await js.wait_text("a", "t", equals=merged) == "online shared offline"


@pytest.mark.asyncio
async def test_awareness_reaches_peers_and_late_joiners_at_once(server: ServerProcess) -> None:
    async with JsClient.start() as js:
        a = await js.open("a", server.ws_url, "aware")
        await js.wait_synced("a")
        await js.set_awareness("a", {"user": {"name": "Aino", "site": "Kuopio"}})
        b = await js.open("b", server.ws_url, "aware")
        # The server sends the known states on connect: no 15 s wait for a renewal.
        await js.wait_awareness(
            "b", has_client=a, state={"user": {"name": "Aino", "site": "Kuopio"}}, timeout=3
        )
        await js.set_awareness("b", {"user": {"name": "Bertta"}})
        await js.wait_awareness("a", has_client=b, state={"user": {"name": "Bertta"}}, timeout=3)


@pytest.mark.asyncio
async def test_awareness_of_a_killed_socket_disappears(server: ServerProcess) -> None:
    async with JsClient.start() as stays, JsClient.start() as leaves:
        await stays.open("a", server.ws_url, "aware-kill")
        gone = await leaves.open("b", server.ws_url, "aware-kill")
        await leaves.wait_synced("b")
        await leaves.set_awareness("b", {"user": {"name": "Bertta"}})
        await stays.wait_awareness("a", has_client=gone, state={"user": {"name": "Bertta"}})
        leaves.kill()
        # The JS client itself would time the state out only after 30 s.
        await stays.wait_awareness("a", lacks_client=gone, timeout=3)


@pytest.mark.slow
@pytest.mark.asyncio
async def test_idle_js_client_keeps_its_connection(server: ServerProcess) -> None:
    """y-websocket drops a socket that hears nothing for 30 s; our awareness echo prevents it."""
    async with JsClient.start() as js:
        await js.open("idle", server.ws_url, "idle")
        await js.wait_synced("idle")
        with pytest.raises(Exception, match="no 'connection-close' event"):
            await js.wait_event("connection-close", id="idle", timeout=36)
        status = await js.status("idle")
        assert status["wsconnected"]


@pytest.mark.asyncio
async def test_a_peer_vanishing_mid_stream_affects_no_one_else(server: ServerProcess) -> None:
    async with JsClient.start() as js, JsClient.start() as victim:
        await js.open("writer", server.ws_url, "vanish")
        await js.open("reader", server.ws_url, "vanish")
        await victim.open("victim", server.ws_url, "vanish")
        await victim.wait_synced("victim")
        await js.wait_synced("reader")
        for n in range(100):
            await js.insert("writer", "t", 0, f"{n};")
            if n == 50:
                victim.kill()
        final = await js.text("writer", "t")
        await js.wait_text("reader", "t", equals=final)
        async with python_client(server.http_url, "vanish") as fresh:
            assert str(fresh.get("t", type=Text)) == final
