"""The JavaScript client harness works, proven against the Node reference server.

Every interop test of Verstas trusts `JsClient`. If the harness broke (a provider that never
syncs, a wait that returns early, events that go missing), those tests would fail or, worse,
pass for the wrong reason. Here the server is the reference implementation real clients are
built against, so any failure is the harness's.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from websockets.asyncio.server import ServerConnection, serve

from tests.support.jsclient import REPO_ROOT, JsClient, JsClientError
from tests.support.reference_server import ReferenceServer, reference_server

KEY = "t"
VECTORS = REPO_ROOT / "tests" / "unit" / "vectors" / "yjs_protocol.json"
STATE_A = {"user": {"name": "Näkökulma ✓", "color": "#30bced"}}


@pytest_asyncio.fixture
async def reference() -> AsyncIterator[ReferenceServer]:
    async with reference_server() as running:
        yield running


@pytest_asyncio.fixture
async def js() -> AsyncIterator[JsClient]:
    async with JsClient.start() as client:
        yield client


def _room() -> str:
    return f"harness-{uuid.uuid4().hex[:12]}"


async def _open_synced(js: JsClient, reference: ReferenceServer, room: str, *ids: str) -> list[int]:
    client_ids = [await js.open(id, reference.url, room) for id in ids]
    await asyncio.gather(*(js.wait_synced(id) for id in ids))
    return client_ids


@pytest.mark.asyncio
async def test_concurrent_edits_of_two_providers_converge(
    js: JsClient, reference: ReferenceServer
) -> None:
    await _open_synced(js, reference, _room(), "a", "b")
    for id in ("a", "b"):
        # Over BroadcastChannel, providers in one process would sync without the server.
        assert (await js.status(id))["bcconnected"] is False
    edits = 15

    async def write(id: str) -> None:
        # Always at index 0, so concurrent inserts can never land inside another token.
        for i in range(edits):
            await js.insert(id, KEY, 0, f"[{id}{i}]")

    await asyncio.gather(write("a"), write("b"))
    # Each provider's updates travel in order, so seeing the other's last token means all.
    text_a = await js.wait_text("a", KEY, contains=f"[b{edits - 1}]")
    text_b = await js.wait_text("b", KEY, contains=f"[a{edits - 1}]")

    assert text_a == text_b
    tokens = re.findall(r"\[[ab]\d+\]", text_a)
    assert "".join(tokens) == text_a
    for id in ("a", "b"):
        mine = [t for t in tokens if t.startswith(f"[{id}")]
        assert mine == [f"[{id}{i}]" for i in reversed(range(edits))]
    assert await js.state_vector("a") == await js.state_vector("b")


@pytest.mark.asyncio
async def test_awareness_of_one_provider_reaches_the_other_and_leaves_with_it(
    js: JsClient, reference: ReferenceServer
) -> None:
    a_id, b_id = await _open_synced(js, reference, _room(), "a", "b")
    assert a_id != b_id
    assert await js.client_id("a") == a_id

    await js.set_awareness("a", STATE_A)
    seen_by_b = await js.wait_awareness("b", has_client=a_id, state=STATE_A, count=2)
    assert seen_by_b == {a_id: STATE_A, b_id: {}}
    assert await js.awareness("b") == seen_by_b

    await js.disconnect("a")
    await js.wait_awareness("b", lacks_client=a_id)
    # y-websocket forgets every remote state when its socket closes, keeping only its own.
    assert await js.awareness("a") == {a_id: STATE_A}


@pytest.mark.asyncio
async def test_offline_edits_arrive_after_reconnect_with_the_expected_events(
    js: JsClient, reference: ReferenceServer
) -> None:
    await _open_synced(js, reference, _room(), "a", "b")
    await js.insert("a", KEY, 0, "base")
    await js.wait_text("b", KEY, equals="base")

    await js.disconnect("a")
    closed = await js.wait_event("connection-close", id="a")
    assert closed["local"] is True
    assert closed["code"] is None
    assert await js.status("a") == {
        "wsconnected": False,
        "wsconnecting": False,
        "synced": False,
        "should_connect": False,
        "bcconnected": False,
    }
    await js.insert("a", KEY, 0, "[offline]")
    await js.insert("b", KEY, 4, "[online]")

    await js.connect("a")
    await js.wait_synced("a")
    expected = "[offline]base[online]"
    assert await js.wait_text("a", KEY, equals=expected) == expected
    assert await js.wait_text("b", KEY, equals=expected) == expected
    statuses = [e["status"] for e in js.events("status", id="a")]
    assert statuses == ["connecting", "connected", "disconnected", "connecting", "connected"]
    assert [e["synced"] for e in js.events("synced", id="a")] == [True, False, True]


@pytest.mark.asyncio
async def test_a_killed_driver_drops_its_sockets_and_fails_its_pending_calls(
    js: JsClient, reference: ReferenceServer
) -> None:
    room = _room()
    (b_id,) = await _open_synced(js, reference, room, "b")
    async with JsClient.start() as doomed:
        a_id = await doomed.open("a", reference.url, room)
        await doomed.wait_synced("a")
        await doomed.set_awareness("a", STATE_A)
        await js.wait_awareness("b", has_client=a_id, state=STATE_A)
        pending = asyncio.create_task(doomed.wait_text("a", KEY, equals="never", timeout=30))
        await doomed.ping()  # the wait_text command has reached the driver

        doomed.kill()
        with pytest.raises(JsClientError, match="killed"):
            await pending
        with pytest.raises(JsClientError, match="killed"):
            await doomed.ping()
    # The reference server noticed the dead socket and told b that a is gone.
    assert await js.wait_awareness("b", lacks_client=a_id) == {b_id: {}}
    assert js.events("connection-close", id="b") == []


@pytest.mark.asyncio
async def test_command_errors_are_reported_and_the_driver_keeps_working(
    js: JsClient, reference: ReferenceServer
) -> None:
    await _open_synced(js, reference, _room(), "a")
    await js.insert("a", KEY, 0, "abc")

    with pytest.raises(JsClientError, match="no provider with id 'nope'"):
        await js.insert("nope", KEY, 0, "x")
    with pytest.raises(JsClientError, match="out of range"):
        await js.insert("a", KEY, 99, "x")
    with pytest.raises(JsClientError, match="already open"):
        await js.open("a", reference.url, "other")
    with pytest.raises(JsClientError, match=r"unknown command \"bogus\""):
        await js._call("bogus", {})
    with pytest.raises(JsClientError, match=r'timed out after 200 ms: .* is "abc"'):
        await js.wait_text("a", KEY, equals="abcd", timeout=0.2)

    assert await js.delete("a", KEY, 0, 1) == "bc"
    assert await js.map_set("a", "m", "k", [1, "kaksi"]) == {"k": [1, "kaksi"]}
    assert await js.map_get("a", "m") == {"k": [1, "kaksi"]}
    assert await js.text("a", KEY) == "bc"
    assert len(await js.state("a")) > 0
    await js.close("a")
    with pytest.raises(JsClientError, match="no provider with id 'a'"):
        await js.text("a", KEY)


@pytest.mark.parametrize(
    ("code", "terminal"),
    [
        pytest.param(4403, True, id="4403-stops-reconnecting"),
        pytest.param(4500, False, id="4500-reconnects"),
    ],
)
@pytest.mark.asyncio
async def test_server_close_codes_reach_the_event_stream(
    js: JsClient, code: int, terminal: bool
) -> None:
    """Close codes are how Verstas reports auth failures, so the harness must expose them.

    The reference server never closes with a code, hence a stub server that closes at once.
    """
    connections = 0
    second_connection = asyncio.Event()

    async def close_at_once(websocket: ServerConnection) -> None:
        nonlocal connections
        connections += 1
        if connections == 2:
            second_connection.set()
        await websocket.close(code, "stub says no")

    async with serve(close_at_once, "127.0.0.1", 0) as stub:
        port = stub.sockets[0].getsockname()[1]
        await js.open("a", f"ws://127.0.0.1:{port}/collab", _room())
        event = await js.wait_event("connection-close", id="a")
        assert event["code"] == code
        assert event["reason"] == "stub says no"
        assert event["local"] is False
        if terminal:
            closed = await js.wait_event("closed", id="a")
            assert (closed["code"], closed["reason"]) == (code, "stub says no")
            assert (await js.status("a"))["should_connect"] is False
        else:
            async with asyncio.timeout(10):
                await second_connection.wait()
            await js.ping()  # replies follow earlier event lines: every event is recorded now
            # y-websocket emits `closed` synchronously after `connection-close`, long before
            # it reconnects: had it decided to stop, the event would be recorded by now.
            assert js.events("closed", id="a") == []
        await js.close("a")


@pytest.mark.asyncio
async def test_permission_denied_message_becomes_an_event(js: JsClient) -> None:
    """y-websocket only console.warns on an auth message; the driver must surface it."""
    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))["vectors"]
    (denied,) = [v for v in vectors if v["name"] == "auth_permission_denied"]

    async def deny(websocket: ServerConnection) -> None:
        await websocket.send(bytes.fromhex(denied["hex"]))
        await websocket.wait_closed()

    async with serve(deny, "127.0.0.1", 0) as stub:
        port = stub.sockets[0].getsockname()[1]
        await js.open("a", f"ws://127.0.0.1:{port}/collab", "denied-room")
        event = await js.wait_event("permission-denied", id="a")
        assert event["reason"] == denied["decoded"]["reason"]
        assert event["url"] == f"ws://127.0.0.1:{port}/collab/denied-room"
        await js.close("a")
