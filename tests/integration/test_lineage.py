"""Versions, adoption forks and the lineage graph, through the API and real clients."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from documents.access import DocumentKind
from documents.workshop_doc import load_document, text_at
from tests.support.api import ApiClient
from tests.support.conditions import wait_for, wait_until
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess

CELL = "model/core_idea"


async def create(api: ApiClient, **fields: Any) -> dict[str, Any]:
    body = {"title": "Kotihoidon yöpartio", "organisation": "Kuopio", **fields}
    data: dict[str, Any] = (await api.post("/api/workshops", json=body)).json()
    return data


async def adopt(api: ApiClient, wid: str, organisation: str, **body: str) -> dict[str, Any]:
    """Fork a workshop through the API and return the new workshop (201 checked)."""
    response = await api.post(
        f"/api/workshops/{wid}/fork", json={"organisation": organisation, **body}
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def write(server: ServerProcess, wid: str, token: str, text: str) -> None:
    """Replace the core idea through a real client and wait until it is committed."""
    doc = load_document(DocumentKind.CONTENT)
    async with python_client(server.http_url, wid, doc, token=token):
        cell = text_at(doc, CELL)
        del cell[0 : len(cell)]
        cell.insert(0, text)
    async with ApiClient(server.http_url) as api:
        await wait_for(lambda: _has_core_idea(api, wid, text), what=f"{text!r} committed")


async def _has_core_idea(api: ApiClient, wid: str, text: str) -> bool:
    return await core_idea(api, wid) == text


async def core_idea(api: ApiClient, wid: str, version: str | None = None) -> str:
    path = f"/api/workshops/{wid}/export.json"
    if version:
        path = f"/api/workshops/{wid}/versions/{version}/export.json"
    return str((await api.get(path)).json()["content"]["model"]["core_idea"])


@pytest.mark.asyncio
async def test_named_versions_and_forks_from_them(server_closed: ServerProcess) -> None:
    server = server_closed
    async with ApiClient(server.http_url) as api:
        origin = await create(api)
        wid, owner = origin["id"], origin["owner_token"]
        await write(server, wid, owner, "Hoitaja käy yöllä")
        path = f"/api/workshops/{wid}/versions"
        version = (await api.post(path, token=owner, json={"label": "Ensimmäinen"})).json()
        assert (await api.post(path, json={"label": "Anonyymi"})).status_code == 403
        await write(server, wid, owner, "Hoitaja ja turvapuhelin")
        listed = (await api.get(path)).json()["items"]
        assert [v["label"] for v in listed] == ["Ensimmäinen"]
        assert await core_idea(api, wid, version["id"]) == "Hoitaja käy yöllä"
        assert await core_idea(api, wid) == "Hoitaja ja turvapuhelin"
        from_version = await adopt(
            api, wid, "Siilinjärvi", reason="Sama aukko", version=version["id"]
        )
        assert await core_idea(api, from_version["id"]) == "Hoitaja käy yöllä"
        child = await adopt(api, wid, "Varkaus", reason="Hyvä malli")
        assert child["organisation"] == "Varkaus"
        assert child["role"] == "owner"
        assert await core_idea(api, child["id"]) == "Hoitaja ja turvapuhelin"
        child_export = (await api.get(f"/api/workshops/{child['id']}/export.json")).json()
        assert child_export["comments"] == []
        origin_note = {
            "workshop": wid,
            "organisation": "Varkaus",
            "reason": "Hyvä malli",
            "forked_at": child["forked_from"]["forked_at"],
            "parent_version": None,
            "by": None,
        }
        assert child["forked_from"] == origin_note
        assert (await api.get(f"/api/workshops/{child['id']}")).json()["forked_from"] == origin_note
        assert from_version["forked_from"]["parent_version"] == version["id"]
        assert (await api.get(f"/api/workshops/{wid}")).json()["forked_from"] is None


@pytest.mark.asyncio
async def test_private_workshops_are_forked_only_by_those_who_may_read_them(
    server_closed: ServerProcess,
) -> None:
    async with ApiClient(server_closed.http_url) as api:
        private = await create(api, visibility="private")
        path = f"/api/workshops/{private['id']}/fork"
        body = {"organisation": "Joku", "reason": "Uteliaisuus"}
        assert (await api.post(path, json=body)).status_code == 401
        assert (await api.post(path, json=body, token=private["owner_token"])).status_code == 201


@pytest.mark.asyncio
async def test_three_generations_of_lineage_survive_a_restart(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, open_documents=False)
    await server.start()
    try:
        async with ApiClient(server.http_url) as api:
            root = await create(api)
            await write(server, root["id"], root["owner_token"], "Alkuperäinen idea")
            child = await adopt(api, root["id"], "Siilinjärvi", reason="Lähellä")
            await write(server, child["id"], child["owner_token"], "Siilinjärven versio")
            grandchild = await adopt(api, child["id"], "Maaninka", reason="Naapurista", by="Pekka")
            before = (await api.get(f"/api/workshops/{grandchild['id']}/lineage")).json()
        await server.stop()
        await server.start()
        async with ApiClient(server.http_url) as api:
            after = (await api.get(f"/api/workshops/{grandchild['id']}/lineage")).json()
            from_root = (await api.get(f"/api/workshops/{root['id']}/lineage")).json()
    finally:
        await server.stop()
    assert after == before
    assert after["root"] == root["id"]
    assert [n["id"] for n in after["nodes"]] == [root["id"], child["id"], grandchild["id"]]
    assert {(e["parent"], e["child"]) for e in after["edges"]} == {
        (root["id"], child["id"]),
        (child["id"], grandchild["id"]),
    }
    assert after["in_use"] == []
    in_use = {entry["id"]: entry for entry in from_root["in_use"]}
    assert set(in_use) == {child["id"], grandchild["id"]}
    assert in_use[child["id"]]["organisation"] == "Siilinjärvi"
    assert in_use[child["id"]]["cells_changed"] == 1
    assert in_use[grandchild["id"]]["cells_changed"] == 0
    assert in_use[child["id"]]["last_activity"] is not None


@pytest.mark.asyncio
async def test_restore_an_old_version_while_two_clients_are_connected(
    server_closed: ServerProcess,
) -> None:
    server = server_closed
    async with ApiClient(server.http_url) as api:
        origin = await create(api)
        wid, owner = origin["id"], origin["owner_token"]
        await write(server, wid, owner, "Ensimmäinen ajatus")
        path = f"/api/workshops/{wid}/versions"
        first = (await api.post(path, token=owner, json={"label": "v1"})).json()
        await write(server, wid, owner, "Toinen ajatus")
        second = (await api.post(path, token=owner, json={"label": "v2"})).json()
        diff = (await api.get(f"/api/workshops/{wid}/diff?from={first['id']}&to=now")).json()
        assert diff["changes"] == [
            {"cell": CELL, "from": "Ensimmäinen ajatus", "to": "Toinen ajatus"}
        ]
        a = load_document(DocumentKind.CONTENT)
        b = load_document(DocumentKind.CONTENT)
        async with (
            python_client(server.http_url, wid, a, token=owner),
            python_client(server.http_url, wid, b, token=owner),
        ):
            restored = await api.post(f"{path}/{first['id']}/restore", token=owner)
            # v2 reads as the content the restore replaces: no version of it is needed.
            assert restored.json() == {"version": first["id"], "changed": [CELL], "before": None}
            await wait_until(lambda: str(text_at(a, CELL)) == "Ensimmäinen ajatus")
            await wait_until(lambda: str(text_at(b, CELL)) == "Ensimmäinen ajatus")
            # A restore is undone by restoring the version taken before it.
            undo = await api.post(f"{path}/{second['id']}/restore", token=owner)
            await wait_until(lambda: str(text_at(a, CELL)) == "Toinen ajatus")
        assert await core_idea(api, wid) == "Toinen ajatus"
        labels = [v["label"] for v in (await api.get(path)).json()["items"]]
        assert labels == ["Before restore", "v2", "v1"]
        assert await core_idea(api, wid, undo.json()["before"]["id"]) == "Ensimmäinen ajatus"
        viewer_try = await api.post(f"{path}/{first['id']}/restore")
        assert viewer_try.status_code == 403


@pytest.mark.asyncio
async def test_restore_and_pull_from_the_cli_go_through_the_server(
    server_closed: ServerProcess,
) -> None:
    server = server_closed
    async with ApiClient(server.http_url) as api:
        origin = await create(api)
        wid, owner = origin["id"], origin["owner_token"]
        await write(server, wid, owner, "Ensin")
        path = f"/api/workshops/{wid}/versions"
        version = (await api.post(path, token=owner, json={"label": "v1"})).json()
        fork = await adopt(api, wid, "Kemi", reason="x")
        await write(server, wid, owner, "Sitten")
        shown = await run_cli(
            "pull", fork["id"], "--server", server.http_url, "--token", fork["owner_token"]
        )
        assert "upstream: 'Sitten'" in shown
        pulled = await run_cli(
            "pull",
            fork["id"],
            "--accept",
            CELL,
            "--server",
            server.http_url,
            "--token",
            fork["owner_token"],
        )
        assert "accepted 1, rejected 0" in pulled
        assert await core_idea(api, fork["id"]) == "Sitten"
        restored = await run_cli(
            "restore", wid, version["id"], "--server", server.http_url, "--token", owner
        )
        assert "1 cells changed" in restored
        assert await core_idea(api, wid) == "Ensin"


async def run_cli(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "web",
        "workshop",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode()


@pytest.mark.asyncio
async def test_automatic_versions_after_a_quiet_period(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, open_documents=False, args=["--auto-version-after", "1"])
    await server.start()
    try:
        async with ApiClient(server.http_url) as api:
            origin = await create(api)
            wid, owner = origin["id"], origin["owner_token"]
            await write(server, wid, owner, "Hiljaisuus")
            path = f"/api/workshops/{wid}/versions"

            async def automatic() -> bool:
                items = (await api.get(path)).json()["items"]
                return any(v["automatic"] for v in items)

            await wait_for(automatic, what="an automatic version")
            (version,) = (await api.get(path)).json()["items"]
            assert await core_idea(api, wid, version["id"]) == "Hiljaisuus"
    finally:
        await server.stop()
