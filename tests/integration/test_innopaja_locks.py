"""Locks set through a live session's API hold on the socket: an update touching a locked text
is refused (not applied, not stored, not relayed) while the same connection still writes
elsewhere; facilitators write through them; unlocking, ending the session or restarting the
server leaves the locks as the session's database rows say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc

from collab.protocol import SyncUpdate, encode
from documents.access import DocumentKind
from documents.workshop_doc import load_document, text_at
from tests.integration.test_observability import metric
from tests.support.api import ApiClient
from tests.support.conditions import wait_for
from tests.support.jsclient import JsClient
from tests.support.raw import RawSocket, raw_connect
from tests.support.server import ServerProcess
from tests.support.sessions import LiveWorkshop, live_workshop

pytestmark = pytest.mark.asyncio


def edit(state: bytes, field: str, text: str) -> bytes:
    """An update from a replica of its own (a fresh client id) that types `text` into a field."""
    doc: Doc[Any] = load_document(DocumentKind.CONTENT, state)
    before = doc.get_state()
    text_at(doc, field).insert(0, text)
    return doc.get_update(before)


async def model(js: JsClient, id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await js.snapshot(id, maps=["model"]))["maps"]["model"]
    return found


async def wait_model(js: JsClient, field: str, text: str) -> None:
    async def shown() -> bool:
        return text in (await model(js, "reader"))[field]

    await wait_for(shown, what=f"{text!r} in model/{field}")


async def send(sock: RawSocket, update: bytes) -> None:
    await sock.send_binary(encode(SyncUpdate(update)))


async def test_a_lock_refuses_the_locked_text_and_only_that(server_closed: ServerProcess) -> None:
    server = server_closed
    async with ApiClient(server.http_url) as api, JsClient.start() as js:
        live = await live_workshop(api)
        await js.open("reader", server.ws_url, live.workshop, {"token": live.owner})
        await js.wait_synced("reader")
        await live.steer("/locks", {"targets": ["model/purpose"], "locked": True})
        state = await js.state("reader")
        path = f"/collab/{live.workshop}?token={live.participant}"
        async with raw_connect(server.port, path) as (status, sock):
            assert status == 101
            await send(sock, edit(state, "model/purpose", "LUKITTU"))
            denied = await sock.binary_message_with(b"locked by the facilitator")
            assert denied[0] == 2  # y-protocols' auth message: the client is told why
            await send(sock, edit(state, "model/core_idea", "VAPAA"))
            await wait_model(js, "core_idea", "VAPAA")
            assert "LUKITTU" not in (await model(js, "reader"))["purpose"]
        metrics = (await api.page("/metrics")).text
        assert metric(metrics, 'verstas_refused_total{reason="locked"}') == 1

        path = f"/collab/{live.workshop}?token={live.facilitator}"
        async with raw_connect(server.port, path) as (_, sock):
            await send(sock, edit(state, "model/purpose", "FASILITAATTORI"))
            await wait_model(js, "purpose", "FASILITAATTORI")

        await live.steer("/locks", {"targets": ["model/purpose"], "locked": False})
        state = await js.state("reader")
        path = f"/collab/{live.workshop}?token={live.participant}"
        async with raw_connect(server.port, path) as (_, sock):
            await send(sock, edit(state, "model/purpose", "AUKI"))
            await wait_model(js, "purpose", "AUKI")

    # A fresh reader (from the log) has what was accepted and nothing refused.
    async with JsClient.start() as js:
        await js.open("reader", server.ws_url, live.workshop, {"token": live.owner})
        await js.wait_synced("reader")
        purpose = (await model(js, "reader"))["purpose"]
        assert "AUKI" in purpose
        assert "FASILITAATTORI" in purpose
        assert "LUKITTU" not in purpose


async def content_state(server: ServerProcess, live: LiveWorkshop) -> bytes:
    async with JsClient.start() as js:
        await js.open("reader", server.ws_url, live.workshop, {"token": live.owner})
        await js.wait_synced("reader")
        return await js.state("reader")


async def test_locks_hold_across_a_restart_and_end_with_the_session(tmp_path: Path) -> None:
    """Editors are held by locks as participants are; the room loaded after a crash reads the
    locks from the database, and ending the session releases them."""
    server = ServerProcess(tmp_path, open_documents=False)
    await server.start()
    try:
        async with ApiClient(server.http_url) as api:
            live = await live_workshop(api)
            editor = (
                await api.post(
                    f"/api/workshops/{live.workshop}/links",
                    token=live.owner,
                    json={"role": "editor"},
                )
            ).json()["token"]
            await live.steer("/locks", {"targets": ["matrix"], "locked": True})
        await server.kill()
        await server.start()
        path = f"/collab/{live.workshop}?token={editor}"
        async with ApiClient(server.http_url) as api:
            live.api = api
            state = await content_state(server, live)
            async with raw_connect(server.port, path) as (_, sock):
                await send(sock, edit(state, "matrix/client.actors", "LUKITTU"))
                await sock.binary_message_with(b"locked by the facilitator")
            await live.steer("/end")
            async with JsClient.start() as js, raw_connect(server.port, path) as (_, sock):
                await js.open("reader", server.ws_url, live.workshop, {"token": live.owner})
                await js.wait_synced("reader")
                await send(sock, edit(await js.state("reader"), "matrix/client.actors", "AUKI"))

                async def shown() -> bool:
                    matrix = (await js.snapshot("reader", maps=["matrix"]))["maps"]["matrix"]
                    return "AUKI" in matrix["client.actors"]

                await wait_for(shown, what="an edit of the matrix once the session ended")
                assert "LUKITTU" not in str(await js.snapshot("reader", maps=["matrix"]))
    finally:
        await server.stop()
