"""The operators' admin view, read from a real server while real clients edit."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pycrdt import Doc, Text

from collab.protocol import SyncUpdate, encode
from documents.store.factory import create_store
from tests.support.api import ApiClient
from tests.support.conditions import wait_for
from tests.support.jsclient import JsClient
from tests.support.raw import raw_connect
from tests.support.server import ServerProcess, running_server
from web.auth import SECRET_NAME
from web.operator_auth import OperatorTokens

pytestmark = pytest.mark.asyncio(loop_scope="module")

NODES = "/api/admin/nodes"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServerProcess]:
    workdir: Path = tmp_path_factory.mktemp("admin")
    async with running_server(workdir, open_documents=False, args=["--node-id", "node-a"]) as s:
        yield s


@pytest.fixture(scope="module")
def operator(server: ServerProcess) -> str:
    """Minted as an operator would: `verstas operator-token` on the server's database."""
    minted = subprocess.run(
        [
            sys.executable,
            "-m",
            "web",
            "operator-token",
            "--name",
            "aino",
            "--days",
            "2",
            "--database-url",
            server.database_url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert minted.returncode == 0, minted.stderr
    printed = json.loads(minted.stdout)
    assert printed["operator"] == "aino"
    days_left = (datetime.fromisoformat(printed["expires_at"]).timestamp() - time.time()) / 86400
    assert 1.99 < days_left <= 2
    token: str = printed["token"]
    return token


async def workshop(server: ServerProcess) -> tuple[str, dict[str, str]]:
    """A new workshop and a token per role."""
    async with ApiClient(server.http_url) as api:
        body = {"title": "Ylläpito", "organisation": "Kuopio"}
        created = (await api.post("/api/workshops", json=body)).json()
        tokens = {"owner": created["owner_token"]}
        for role in ("viewer", "editor"):
            link = await api.post(
                f"/api/workshops/{created['id']}/links",
                token=created["owner_token"],
                json={"role": role},
            )
            tokens[role] = link.json()["token"]
        return created["id"], tokens


async def nodes(server: ServerProcess, token: str) -> list[dict[str, Any]]:
    async with ApiClient(server.http_url) as api:
        response = await api.get(NODES, token=token)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    found: list[dict[str, Any]] = response.json()["nodes"]
    return found


async def document(server: ServerProcess, token: str, name: str) -> dict[str, Any] | None:
    """The document's entry in this (only) node's report, if it is loaded."""
    [node] = await nodes(server, token)
    return next((d for d in node["documents"] if d["name"] == name), None)


async def wait_for_document(
    server: ServerProcess, token: str, name: str, **expected: Any
) -> dict[str, Any]:
    """Counters move as commits land: wait until the entry shows what the test did."""
    entry: dict[str, Any] | None = None

    async def shows() -> bool:
        nonlocal entry
        entry = await document(server, token, name)
        return entry is not None and all(entry[k] == v for k, v in expected.items())

    await wait_for(shows, what=f"{name} to show {expected} (last seen: {entry})")
    assert entry is not None
    return entry


def hostile_update(text: str) -> bytes:
    doc: Doc[Any] = Doc()
    doc.get("hijack", type=Text).insert(0, text)
    return doc.get_update()


async def test_a_loaded_document_shows_its_peers_and_counts(
    server: ServerProcess, operator: str
) -> None:
    wid, tokens = await workshop(server)
    async with JsClient.start() as js:
        await js.open("editor", server.ws_url, wid, {"token": tokens["editor"]})
        await js.open("viewer", server.ws_url, wid, {"token": tokens["viewer"]})
        await js.wait_synced("editor")
        await js.wait_synced("viewer")
        await js.insert("editor", "notes", 0, "yöpartio")
        await js.insert("editor", "notes", 0, "Kotihoidon ")
        await js.wait_text("viewer", "notes", equals="Kotihoidon yöpartio")
        entry = await wait_for_document(
            server,
            operator,
            wid,
            peers=2,
            peers_by_role={"editor": 1, "viewer": 1},
            updates_received=2,
            updates_relayed=2,
        )
        [node] = await nodes(server, operator)
    assert (entry["workshop_id"], entry["kind"]) == (wid, "content")
    # The seed written at creation and the two edits, none folded into a checkpoint yet.
    assert (entry["tail_entries"], entry["checkpoint_position"]) == (3, None)
    # The viewer's client answered the server's step 1 with an empty step 2: no refusal.
    assert entry["refused"] == {}
    assert entry["position"] > 0
    assert entry["last_commit_at"] is not None
    last_commit = datetime.fromisoformat(entry["last_commit_at"])
    started = datetime.fromisoformat(node["started_at"])
    assert started <= last_commit <= datetime.fromisoformat(node["reported_at"])
    assert node["node_id"] == "node-a"
    assert node["totals"]["connections"] >= 2
    assert node["totals"]["documents_loaded"] == len(node["documents"])


async def test_a_refused_write_is_counted_under_its_document(
    server: ServerProcess, operator: str
) -> None:
    wid, tokens = await workshop(server)
    async with raw_connect(server.port, f"/collab/{wid}?token={tokens['viewer']}") as (
        status,
        sock,
    ):
        assert status == 101
        await sock.send_binary(encode(SyncUpdate(hostile_update("ei saa"))))
        entry = await wait_for_document(server, operator, wid, refused={"read_only": 1})
        [node] = await nodes(server, operator)
    assert entry["updates_received"] == 0
    assert entry["peers_by_role"] == {"viewer": 1}
    assert node["totals"]["refused"]["read_only"] >= 1


async def test_an_owner_sees_only_its_own_workshop(server: ServerProcess, operator: str) -> None:
    mine, my_tokens = await workshop(server)
    theirs, their_tokens = await workshop(server)
    async with JsClient.start() as js:
        for wid, tokens in ((mine, my_tokens), (theirs, their_tokens)):
            await js.open(wid, server.ws_url, f"{wid}.comments", {"token": tokens["editor"]})
            await js.wait_synced(wid)
        await wait_for_document(server, operator, f"{mine}.comments", peers=1)
        await wait_for_document(server, operator, f"{theirs}.comments", peers=1)
        [seen_by_owner] = await nodes(server, my_tokens["owner"])
        [seen_by_operator] = await nodes(server, operator)
    assert [d["name"] for d in seen_by_owner["documents"]] == [f"{mine}.comments"]
    assert seen_by_owner["documents"][0]["kind"] == "comments"
    assert "totals" not in seen_by_owner
    assert seen_by_owner["node_id"] == seen_by_operator["node_id"]
    names = {d["name"] for d in seen_by_operator["documents"]}
    assert {f"{mine}.comments", f"{theirs}.comments"} <= names


async def test_who_may_not_look(server: ServerProcess) -> None:
    wid, tokens = await workshop(server)
    store = create_store(server.database_url)
    await store.open()
    try:
        secret = await store.workshops.secret(SECRET_NAME)
    finally:
        await store.close()
    expired = OperatorTokens(secret).mint("aino", time.time() - 1)
    forged = OperatorTokens("not the server's secret").mint("mallory", time.time() + 3600)
    async with ApiClient(server.http_url) as api:
        revocable = (
            await api.post(
                f"/api/workshops/{wid}/links", token=tokens["owner"], json={"role": "owner"}
            )
        ).json()
        revoked = await api.delete(
            f"/api/workshops/{wid}/links/{revocable['id']}", token=tokens["owner"]
        )
        assert revoked.status_code == 204
        cases = {
            "no token": (None, 401, "unauthenticated"),
            "garbage": ("garbage", 401, "unauthenticated"),
            "forged operator token": (forged, 401, "unauthenticated"),
            "expired operator token": (expired, 401, "unauthenticated"),
            "editor share link": (tokens["editor"], 403, "forbidden"),
            "viewer share link": (tokens["viewer"], 403, "forbidden"),
            "revoked owner link": (revocable["token"], 403, "forbidden"),
        }
        messages = {}
        for case, (token, status, code) in cases.items():
            response = await api.get(NODES, token=token)
            assert (response.status_code, response.json()["error"]["code"]) == (status, code), case
            messages[case] = response.json()["error"]["message"]
    assert "of aino expired at" in messages["expired operator token"]
    assert "the editor role does not open the admin view" in messages["editor share link"]
    assert "revoked" in messages["revoked owner link"]
    assert "admin_view_refused" in server.log_text()


async def test_the_page_renders_the_table_for_an_operator(
    server: ServerProcess, operator: str
) -> None:
    wid, tokens = await workshop(server)
    async with (
        raw_connect(server.port, f"/collab/{wid}?token={tokens['viewer']}") as (status, _),
        httpx.AsyncClient(base_url=server.http_url) as browser,
    ):
        assert status == 101
        await wait_for_document(server, operator, wid, peers=1)
        landing = await browser.get(f"/admin?token={operator}&refresh=10")
        assert landing.status_code == 303
        assert landing.headers["location"] == "/admin?refresh=10"
        cookie = landing.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "path=/admin" in cookie
        page = await browser.get("/admin?refresh=10")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<table>" in html
    assert f'<th scope="row">{wid}</th>' in html
    assert "Solmu node-a" in html
    assert "ylläpitäjä aino" in html
    assert '<meta http-equiv="refresh" content="10">' in html
    assert "<script" not in html
    assert operator not in html


async def test_the_page_refuses_without_a_fitting_token(server: ServerProcess) -> None:
    _, tokens = await workshop(server)
    async with httpx.AsyncClient(base_url=server.http_url) as browser:
        anonymous = await browser.get("/admin")
        editor = await browser.get(f"/admin?token={tokens['editor']}")
    assert anonymous.status_code == 401
    assert '<p role="alert">Ylläpitonäkymä vaatii ylläpitäjän tunnisteen' in anonymous.text
    assert editor.status_code == 403
    assert "set-cookie" not in editor.headers
    assert "<table>" not in editor.text
