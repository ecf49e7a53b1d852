"""Hostile and broken clients: each gets a clear close code, one log line, and changes nothing.

One server with small limits serves every case here, so each test also shows that the cases
before it left the process serving. After every case a well-behaved client in the same
document still syncs and finds the document as it was.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pycrdt import Doc, Text

from collab.protocol import (
    AwarenessEntry,
    AwarenessMessage,
    SyncStep1,
    SyncUpdate,
    decode,
    encode,
    encode_awareness,
)
from tests.support.conditions import wait_until
from tests.support.pyclient import python_client
from tests.support.raw import raw_connect
from tests.support.server import ServerProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")

LIMITS = [
    "max_message_bytes=65536",
    "max_document_bytes=200000",
    "max_stalled_bytes=30000",
    "messages_per_second=50",
    "message_burst=100",
    "handshake_timeout=1",
    "idle_timeout=3",
]
CLOSE_WITHIN = 1.0


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServerProcess]:
    workdir: Path = tmp_path_factory.mktemp("hostile")
    process = ServerProcess(workdir, args=[arg for limit in LIMITS for arg in ("--limit", limit)])
    await process.start()
    yield process
    await process.stop()


def log_lines(server: ServerProcess, document: str) -> list[dict[str, Any]]:
    lines = []
    for line in server.log_text().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("document") == document and "peer" in record:
                lines.append(record)
    return lines


async def assert_refusal_logged(server: ServerProcess, document: str, *events: str) -> None:
    def found() -> bool:
        return any(
            r["event"] in events and r.get("level") == "warning"
            for r in log_lines(server, document)
        )

    await wait_until(found, timeout=3, what=f"a {events} log line for {document}")


async def seed(server: ServerProcess, document: str, text: str) -> None:
    async with python_client(server.http_url, document) as doc:
        doc.get("t", type=Text).insert(0, text)
    async with python_client(server.http_url, document) as check:
        await wait_until(lambda: str(check.get("t", type=Text)) == text)


async def content(server: ServerProcess, document: str) -> str:
    async with python_client(server.http_url, document) as doc:
        return str(doc.get("t", type=Text))


def update_inserting(text: str, *, client_id: int | None = None) -> bytes:
    doc: Doc[Any] = Doc(client_id=client_id)
    doc.get("t", type=Text).insert(0, text)
    return doc.get_update()


@pytest.mark.parametrize(
    ("case", "message", "code"),
    [
        ("garbage", bytes(range(7, 64)), 1002),
        ("truncated-varint", b"\x00\x02\xff", 1002),
        ("unknown-type", b"\x07\x00", 1002),
        ("invalid-update", encode(SyncUpdate(b"\xff\xff\xff\xff")), 1002),
        ("empty-update", encode(SyncUpdate(b"")), 1002),
        ("trailing-bytes", encode(SyncStep1(b"\x00")) + b"\x01", 1002),
    ],
)
async def test_malformed_messages_close_1002(
    server: ServerProcess, case: str, message: bytes, code: int
) -> None:
    document = f"malformed-{case}"
    await seed(server, document, "ennallaan")
    async with raw_connect(server.port, f"/collab/{document}") as (status, sock):
        assert status == 101
        await sock.send_binary(message)
        assert await sock.close_code(CLOSE_WITHIN) == code
        await assert_refusal_logged(server, document, "peer_closed", "update_invalid")
        assert await content(server, document) == "ennallaan"


async def test_text_frame_closes_1003(server: ServerProcess) -> None:
    async with raw_connect(server.port, "/collab/text-frame") as (_status, sock):
        await sock.send_frame(0x1, b"hello")
        assert await sock.close_code(CLOSE_WITHIN) == 1003
        await assert_refusal_logged(server, "text-frame", "peer_closed")


async def test_oversized_frame_closes_1009_before_it_is_buffered(server: ServerProcess) -> None:
    await seed(server, "big-frame", "pieni")
    async with raw_connect(server.port, "/collab/big-frame") as (_status, sock):
        # Only the header declaring 10 MB is sent: the server must not wait for the body.
        sock.writer.write(b"\x82\xff" + (10_000_000).to_bytes(8, "big") + b"\x00\x00\x00\x00")
        assert await sock.close_code(CLOSE_WITHIN) == 1009
        await assert_refusal_logged(server, "big-frame", "peer_closed")
        assert await content(server, "big-frame") == "pieni"


async def test_document_over_its_size_limit_refuses_updates(server: ServerProcess) -> None:
    document = "too-large"
    async with raw_connect(server.port, f"/collab/{document}") as (_status, sock):
        source: Doc[Any] = Doc()
        text = source.get("t", type=Text)
        accepted = ""
        code = None
        for n in range(6):
            before = source.get_state()
            chunk = f"{n}" * 50_000
            text.insert(len(text), chunk)
            await sock.send_binary(encode(SyncUpdate(source.get_update(before))))
            if n < 3:
                accepted += chunk
        code = await sock.close_code(3)
        assert code == 4413
        await assert_refusal_logged(server, document, "update_refused")
        assert await content(server, document) == accepted


async def test_flood_closes_1008(server: ServerProcess) -> None:
    async with raw_connect(server.port, "/collab/flood") as (_status, sock):
        message = encode(AwarenessMessage(encode_awareness([AwarenessEntry(77, 1, "{}")])))
        for _ in range(150):
            await sock.send_binary(message)
        assert await sock.close_code(CLOSE_WITHIN) == 1008
        await assert_refusal_logged(server, "flood", "peer_closed")


async def test_step1_answers_are_bounded(server: ServerProcess) -> None:
    await seed(server, "step1-storm", "x" * 20_000)
    async with raw_connect(server.port, "/collab/step1-storm") as (_status, sock):
        for _ in range(40):
            await sock.send_binary(encode(SyncStep1(b"\x00")))
        answers = [m for m in await sock.binary_messages(1.0) if m[:2] == b"\x00\x01"]
        assert 1 <= len(answers) <= 8
        await assert_refusal_logged(server, "step1-storm", "message_refused")


def awareness(entry: AwarenessEntry) -> bytes:
    return encode(AwarenessMessage(encode_awareness([entry])))


async def test_awareness_cannot_speak_for_another_client(server: ServerProcess) -> None:
    document = "spoof"
    path = f"/collab/{document}"
    async with (
        raw_connect(server.port, path) as (_, owner),
        raw_connect(server.port, path) as (_, mallory),
    ):
        await owner.send_binary(encode(SyncStep1(b"\x00")))
        await owner.send_binary(awareness(AwarenessEntry(501, 1, '{"name":"Aino"}')))
        # The two sockets are read independently: mallory speaks once the owner's state is in.
        await mallory.binary_message_with(b"Aino")
        await mallory.send_binary(encode(SyncStep1(b"\x00")))
        await mallory.send_binary(awareness(AwarenessEntry(501, 9, '{"name":"fake"}')))
        await mallory.send_binary(awareness(AwarenessEntry(501, 10, "null")))
        await assert_refusal_logged(server, document, "awareness_refused")
        async with raw_connect(server.port, path) as (_, observer):
            seen = [decode(m) for m in await observer.binary_messages(0.5)]
    states = [m for m in seen if isinstance(m, AwarenessMessage)]
    assert states, "a newcomer hears the awareness states at once"
    assert b"Aino" in states[0].update
    assert all(b"fake" not in m.update for m in states)


async def test_handshake_that_never_syncs_is_closed(server: ServerProcess) -> None:
    async with raw_connect(server.port, "/collab/silent") as (status, sock):
        assert status == 101
        assert await sock.close_code(3) == 1008
        await assert_refusal_logged(server, "silent", "peer_closed")


async def test_idle_socket_that_never_pongs_is_closed(server: ServerProcess) -> None:
    async with raw_connect(server.port, "/collab/no-pong") as (_, sock):
        await sock.send_binary(encode(SyncStep1(b"\x00")))
        assert await sock.close_code(8) == 1008
        await assert_refusal_logged(server, "no-pong", "peer_closed")


async def test_updates_with_missing_dependencies_are_capped(server: ServerProcess) -> None:
    document = "orphans"
    async with raw_connect(server.port, f"/collab/{document}") as (_, sock):
        code = None
        for n in range(10):
            source: Doc[Any] = Doc(client_id=1000 + n)
            text = source.get("t", type=Text)
            text.insert(0, "a")
            base = source.get_state()
            text.insert(1, "b" * 10_000)
            await sock.send_binary(encode(SyncUpdate(source.get_update(base))))
        code = await sock.close_code(3)
        assert code == 1008
        await assert_refusal_logged(server, document, "update_stalled")


async def test_orphans_next_to_held_text_under_new_client_ids_are_capped_too(
    server: ServerProcess,
) -> None:
    """Each orphan here names an item the document holds (it goes after the seeded text), and
    yrs then lists its client at clock 0: the state vector's bytes change, its clocks do not.
    Such orphans, a new client id each, escaped the cap when a change of bytes counted."""
    document = "orphans-next-to-text"
    await seed(server, document, "pohja")
    async with python_client(server.http_url, document) as held:
        state = held.get_update()
    async with raw_connect(server.port, f"/collab/{document}") as (_, sock):
        for n in range(10):
            source: Doc[Any] = Doc(client_id=3000 + n)
            source.apply_update(state)
            text = source.get("t", type=Text)
            text.insert(0, "a")
            base = source.get_state()
            text.insert(len(text), "b" * 10_000)
            await sock.send_binary(encode(SyncUpdate(source.get_update(base))))
        assert await sock.close_code(3) == 1008
        await assert_refusal_logged(server, document, "update_stalled")


async def test_other_documents_are_unaffected_by_all_of_the_above(server: ServerProcess) -> None:
    await seed(server, "bystander", "kaikki hyvin")
    assert await content(server, "bystander") == "kaikki hyvin"
