"""Roles are enforced on the socket: what each role can change, by any sequence of messages."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pycrdt import Doc, Text

from collab.protocol import SyncStep2, SyncUpdate, encode
from tests.support.api import ApiClient
from tests.support.jsclient import JsClient
from tests.support.raw import raw_connect
from tests.support.server import ServerProcess, running_server

pytestmark = pytest.mark.asyncio(loop_scope="module")

CELL = "matrix"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServerProcess]:
    workdir: Path = tmp_path_factory.mktemp("roles")
    async with running_server(workdir, open_documents=False) as process:
        yield process


async def workshop(server: ServerProcess, **fields: Any) -> tuple[str, dict[str, str]]:
    """A new workshop and a token per role."""
    async with ApiClient(server.http_url) as api:
        body = {"title": "Roolit", "organisation": "Tampere", **fields}
        created = (await api.post("/api/workshops", json=body)).json()
        tokens = {"owner": created["owner_token"]}
        for role in ("viewer", "commenter", "editor"):
            link = await api.post(
                f"/api/workshops/{created['id']}/links",
                token=created["owner_token"],
                json={"role": role},
            )
            tokens[role] = link.json()["token"]
        return created["id"], tokens


def hostile_update(text: str) -> bytes:
    doc: Doc[Any] = Doc()
    doc.get("hijack", type=Text).insert(0, text)
    return doc.get_update()


async def test_unknown_workshop_is_404_before_the_upgrade(server: ServerProcess) -> None:
    async with raw_connect(server.port, "/collab/0123456789abcdef0123") as (status, _):
        assert status == 404


async def test_private_workshop_refuses_missing_bad_foreign_and_revoked_tokens(
    server: ServerProcess,
) -> None:
    wid, tokens = await workshop(server, visibility="private")
    _, other_tokens = await workshop(server, visibility="private")
    cases = {
        "": 401,
        "?token=garbage": 401,
        f"?token={other_tokens['editor']}": 403,
        f"?token={tokens['viewer']}": 101,
    }
    for query, expected in cases.items():
        async with raw_connect(server.port, f"/collab/{wid}{query}") as (status, sock):
            assert status == expected, query
            if status != 101:
                rest = await asyncio.wait_for(sock.reader.read(), 2)
                assert rest.decode().endswith("\n"), "a plain-text reason, no document bytes"


async def test_admission_sees_revocation_visibility_and_deletion_at_once(
    server: ServerProcess,
) -> None:
    """Admission reuses rows it read for a few seconds; changes made through this server must
    still refuse the very next connection."""
    wid, tokens = await workshop(server)

    async def status(query: str) -> int:
        async with raw_connect(server.port, f"/collab/{wid}{query}") as (code, _):
            return code

    async with ApiClient(server.http_url) as api:
        link = (
            await api.post(
                f"/api/workshops/{wid}/links", token=tokens["owner"], json={"role": "editor"}
            )
        ).json()
        assert await status(f"?token={link['token']}") == 101
        assert await status("") == 101
        await api.delete(f"/api/workshops/{wid}/links/{link['id']}", token=tokens["owner"])
        assert await status(f"?token={link['token']}") == 403
        await api.patch(
            f"/api/workshops/{wid}", token=tokens["owner"], json={"visibility": "private"}
        )
        assert await status("") == 401
        assert await status(f"?token={tokens['viewer']}") == 101
        await api.delete(f"/api/workshops/{wid}", token=tokens["owner"])
        assert await status(f"?token={tokens['viewer']}") == 404


async def test_viewer_and_commenter_change_nothing_in_content(server: ServerProcess) -> None:
    wid, tokens = await workshop(server)
    async with JsClient.start() as js:
        await js.open("editor", server.ws_url, wid, {"token": tokens["editor"]})
        await js.wait_synced("editor")
        await js.insert("editor", "notes", 0, "alkuperäinen")
        for role in ("viewer", "commenter"):
            await js.open(role, server.ws_url, wid, {"token": tokens[role]})
            await js.wait_synced(role)
            await js.wait_text(role, "notes", equals="alkuperäinen")
            # The real client edits locally and sends a genuine update: refused on the server.
            await js.insert(role, "notes", 0, f"{role} was here ")
        rng = random.Random(4403)
        attempts = [
            encode(SyncUpdate(hostile_update("update"))),
            encode(SyncStep2(hostile_update("step 2"))),
            encode(SyncUpdate(hostile_update("a"))) + encode(SyncUpdate(hostile_update("b"))),
            bytes([0, 2]) + bytes(rng.randrange(256) for _ in range(40)),
            *(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60))) for _ in range(5)),
        ]
        for role in ("viewer", "commenter"):
            for attempt in attempts:
                async with raw_connect(server.port, f"/collab/{wid}?token={tokens[role]}") as (
                    status,
                    sock,
                ):
                    assert status == 101
                    await sock.send_binary(attempt)
                    await sock.binary_messages(0.05)
        await js.insert("editor", "notes", 0, "! ")
        assert await js.wait_text("editor", "notes", equals="! alkuperäinen")
        await js.open("fresh", server.ws_url, wid, {"token": tokens["viewer"]})
        await js.wait_synced("fresh")
        assert await js.wait_text("fresh", "notes", equals="! alkuperäinen")
        assert await js.text("fresh", "hijack") == ""
    reason = "document is read-only for this connection"
    assert any(record.get("reason") == reason for record in server.log_records())


async def test_commenter_writes_comments_and_an_editor_sees_them(server: ServerProcess) -> None:
    wid, tokens = await workshop(server)
    async with JsClient.start() as js:
        await js.open("commenter", server.ws_url, f"{wid}.comments", {"token": tokens["commenter"]})
        await js.open("editor", server.ws_url, f"{wid}.comments", {"token": tokens["editor"]})
        await js.wait_synced("commenter")
        await js.wait_synced("editor")
        await js.insert("commenter", "note", 0, "Hyvä idea, mutta entä yöhoito?")
        await js.wait_text("editor", "note", equals="Hyvä idea, mutta entä yöhoito?")


async def test_repeat_offender_is_closed_with_4403(server: ServerProcess) -> None:
    wid, tokens = await workshop(server)
    async with raw_connect(server.port, f"/collab/{wid}?token={tokens['viewer']}") as (_, sock):
        for n in range(3):
            await sock.send_binary(encode(SyncUpdate(hostile_update(str(n)))))
        assert await sock.close_code(2) == 4403


async def test_revoking_a_link_closes_its_sockets_with_4403(server: ServerProcess) -> None:
    wid, tokens = await workshop(server)
    async with JsClient.start() as js, ApiClient(server.http_url) as api:
        link = (
            await api.post(
                f"/api/workshops/{wid}/links", token=tokens["owner"], json={"role": "editor"}
            )
        ).json()
        await js.open("doomed", server.ws_url, wid, {"token": link["token"]})
        await js.open("stays", server.ws_url, wid, {"token": tokens["editor"]})
        await js.wait_synced("doomed")
        await js.wait_synced("stays")
        await api.delete(f"/api/workshops/{wid}/links/{link['id']}", token=tokens["owner"])
        closed = await js.wait_event("connection-close", id="doomed", timeout=3)
        assert closed["code"] == 4403
        # y-websocket treats 44xx as final: it does not reconnect with the dead token.
        await js.wait_event("closed", id="doomed", timeout=3)
        assert (await js.status("stays"))["wsconnected"]


async def test_roles_are_stamped_into_awareness(server: ServerProcess) -> None:
    wid, tokens = await workshop(server)
    async with JsClient.start() as js:
        viewer = await js.open("viewer", server.ws_url, wid, {"token": tokens["viewer"]})
        await js.open("editor", server.ws_url, wid, {"token": tokens["editor"]})
        await js.wait_synced("viewer")
        await js.set_awareness("viewer", {"name": "Ville", "role": "facilitator"})
        await js.wait_awareness(
            "editor", has_client=viewer, state={"name": "Ville", "role": "viewer"}, timeout=3
        )
