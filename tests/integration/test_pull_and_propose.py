"""Pull from upstream and propose back, reviewed cell by cell, on live documents."""

from __future__ import annotations

import pytest

from documents.access import DocumentKind
from documents.workshop_doc import load_document, text_at
from tests.support.api import ApiClient
from tests.support.conditions import wait_for, wait_until
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess


async def edit(server: ServerProcess, wid: str, token: str, cell: str, text: str) -> None:
    """Append to a cell through a real client; wait until the export shows it committed."""
    doc = load_document(DocumentKind.CONTENT)
    async with python_client(server.http_url, wid, doc, token=token):
        target = text_at(doc, cell)
        target.insert(len(target), text)
        expected = str(target)
    async with ApiClient(server.http_url) as api:
        await wait_for(lambda: _cell_is(api, wid, cell, expected), what=f"{cell} committed")


async def _cell_is(api: ApiClient, wid: str, cell: str, expected: str) -> bool:
    return await cell_text(api, wid, cell) == expected


async def cell_text(api: ApiClient, wid: str, cell: str) -> str:
    content = (await api.get(f"/api/workshops/{wid}/export.json")).json()["content"]
    section, key = cell.split("/")
    if section == "matrix":
        perspective, topic = key.split(".")
        return str(content["matrix"][perspective][topic])
    return str(content[section][key])


@pytest.mark.asyncio
async def test_pull_with_accepted_and_rejected_cells_then_a_clean_second_pull(
    server_closed: ServerProcess,
) -> None:
    server = server_closed
    async with ApiClient(server.http_url) as api:
        origin = (
            await api.post("/api/workshops", json={"title": "Yöpartio", "organisation": "Kuopio"})
        ).json()
        oid, otoken = origin["id"], origin["owner_token"]
        await edit(server, oid, otoken, "model/purpose", "Turvallinen yö")
        await edit(server, oid, otoken, "model/core_idea", "Hoitaja käy")
        fork = (
            await api.post(
                f"/api/workshops/{oid}/fork", json={"organisation": "Varkaus", "reason": "Hyvä"}
            )
        ).json()
        fid, ftoken = fork["id"], fork["owner_token"]
        assert (await api.get(f"/api/workshops/{oid}/upstream", token=otoken)).status_code == 404
        # Both sides edit the same cells.
        await edit(server, oid, otoken, "model/purpose", " kotona")
        await edit(server, fid, ftoken, "model/purpose", " Varkaudessa")
        await edit(server, oid, otoken, "model/core_idea", " yöllä")
        await edit(server, fid, ftoken, "model/core_idea", " aina")
        await edit(server, oid, otoken, "matrix/client.actors", "Asiakas ja omainen")
        preview = (await api.get(f"/api/workshops/{fid}/upstream", token=ftoken)).json()
        cells = {change["cell"]: change for change in preview["changes"]}
        assert set(cells) == {"model/purpose", "model/core_idea", "matrix/client.actors"}
        assert cells["model/core_idea"]["current"] == "Hoitaja käy aina"
        assert await cell_text(api, fid, "model/core_idea") == "Hoitaja käy aina"
        doc = load_document(DocumentKind.CONTENT)
        async with python_client(server.http_url, fid, doc, token=ftoken):
            incomplete = await api.post(
                f"/api/workshops/{fid}/upstream/pull",
                token=ftoken,
                json={"accept": ["model/purpose"], "reject": []},
            )
            assert incomplete.status_code == 409
            pulled = await api.post(
                f"/api/workshops/{fid}/upstream/pull",
                token=ftoken,
                json={
                    "accept": ["model/purpose", "matrix/client.actors"],
                    "reject": ["model/core_idea"],
                },
            )
            assert pulled.json() == {
                "accepted": ["matrix/client.actors", "model/purpose"],
                "rejected": ["model/core_idea"],
            }
            # The connected client sees the merge live, as one change.
            await wait_until(
                lambda: str(text_at(doc, "matrix/client.actors")) == "Asiakas ja omainen"
            )
            purpose = str(text_at(doc, "model/purpose"))
        assert purpose in (
            "Turvallinen yö kotona Varkaudessa",
            "Turvallinen yö Varkaudessa kotona",
        )
        assert await cell_text(api, fid, "model/core_idea") == "Hoitaja käy aina"
        # More upstream edits: the second pull offers only them and duplicates nothing.
        await edit(server, oid, otoken, "model/core_idea", "!")
        await edit(server, oid, otoken, "matrix/client.actors", ".")
        second = (await api.get(f"/api/workshops/{fid}/upstream", token=ftoken)).json()
        assert {c["cell"] for c in second["changes"]} == {"model/core_idea", "matrix/client.actors"}
        await api.post(
            f"/api/workshops/{fid}/upstream/pull",
            token=ftoken,
            json={"accept": ["matrix/client.actors", "model/core_idea"], "reject": []},
        )
        assert await cell_text(api, fid, "matrix/client.actors") == "Asiakas ja omainen."
        core = await cell_text(api, fid, "model/core_idea")
        # Where "!" lands beside the fork's own " aina" is the CRDT's choice (both follow
        # "Hoitaja käy" concurrently); what matters is that each piece appears exactly once and
        # the rejected " yöllä" stays out.
        assert sorted(core) == sorted("Hoitaja käy aina!")
        assert "yöllä" not in core
        again = (await api.get(f"/api/workshops/{fid}/upstream", token=ftoken)).json()
        assert again["changes"] == []


@pytest.mark.asyncio
async def test_origin_reviews_a_forks_proposal(server_closed: ServerProcess) -> None:
    server = server_closed
    async with ApiClient(server.http_url) as api:
        origin = (
            await api.post("/api/workshops", json={"title": "Yöpartio", "organisation": "Kuopio"})
        ).json()
        oid, otoken = origin["id"], origin["owner_token"]
        await edit(server, oid, otoken, "model/purpose", "Turvallinen yö")
        fork = (
            await api.post(
                f"/api/workshops/{oid}/fork", json={"organisation": "Varkaus", "reason": "Hyvä"}
            )
        ).json()
        fid, ftoken = fork["id"], fork["owner_token"]
        await edit(server, fid, ftoken, "model/purpose", " kaikille")
        await edit(server, fid, ftoken, "model/conditions", "Yöhoitaja saatavilla")
        offers = (await api.get(f"/api/workshops/{oid}/proposals", token=otoken)).json()["items"]
        assert [item["fork"] for item in offers] == [fid]
        assert {c["cell"] for c in offers[0]["changes"]} == {"model/purpose", "model/conditions"}
        path = f"/api/workshops/{oid}/proposals/{fid}/accept"
        forbidden = await api.post(path, token=ftoken, json={"accept": [], "reject": []})
        assert forbidden.status_code == 403
        await api.post(
            path, token=otoken, json={"accept": ["model/conditions"], "reject": ["model/purpose"]}
        )
        assert await cell_text(api, oid, "model/conditions") == "Yöhoitaja saatavilla"
        assert await cell_text(api, oid, "model/purpose") == "Turvallinen yö"
        assert await cell_text(api, fid, "model/purpose") == "Turvallinen yö kaikille"
