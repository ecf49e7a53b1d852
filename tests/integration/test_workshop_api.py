"""The workshop and share-link API: the public contract, every response checked against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from documents.comments import add_thread, anchor
from documents.workshop_doc import add_component, text_at
from tests.support.api import ApiClient
from tests.support.conditions import wait_for
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess, running_server

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServerProcess]:
    workdir: Path = tmp_path_factory.mktemp("api")
    async with running_server(workdir, open_documents=False) as process:
        yield process


async def create(api: ApiClient, **fields: Any) -> dict[str, Any]:
    body = {"title": "Kotihoidon yöpartio", "organisation": "Kuopion kaupunki", **fields}
    response = await api.post("/api/workshops", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_create_read_update_delete(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as api:
        created = await create(api, description="Yöaikainen kotihoito", place="Kuopio")
        wid, owner = created["id"], created["owner_token"]
        assert created["role"] == "owner"
        assert created["documents"]["comments"] == f"{wid}.comments"
        anonymous = (await api.get(f"/api/workshops/{wid}")).json()
        assert anonymous["role"] is None
        assert anonymous["place"] == "Kuopio"
        patched = await api.patch(
            f"/api/workshops/{wid}", token=owner, json={"funder": "STM", "title": "Yöpartio"}
        )
        assert patched.json()["funder"] == "STM"
        assert patched.json()["title"] == "Yöpartio"
        assert (await api.patch(f"/api/workshops/{wid}", json={"title": "x"})).status_code == 403
        assert (await api.delete(f"/api/workshops/{wid}", token=owner)).status_code == 204
        assert (await api.get(f"/api/workshops/{wid}")).status_code == 404
        assert api.checked == 6


async def test_private_workshops_need_a_token(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as api:
        created = await create(api, title="Salainen suunnitelma", visibility="private")
        wid, owner = created["id"], created["owner_token"]
        assert (await api.get(f"/api/workshops/{wid}")).status_code == 401
        forged = owner[:-4] + ("AAAA" if not owner.endswith("AAAA") else "BBBB")
        assert (await api.get(f"/api/workshops/{wid}", token=forged)).status_code == 401
        other = await create(api, title="Toinen")
        wrong = await api.get(f"/api/workshops/{wid}", token=other["owner_token"])
        assert wrong.status_code == 403
        assert (await api.get(f"/api/workshops/{wid}", token=owner)).json()["role"] == "owner"
        hidden = (await api.get("/api/workshops?q=salainen")).json()["items"]
        assert hidden == []
        shown = (await api.get("/api/workshops?q=salainen", token=owner)).json()["items"]
        assert [w["id"] for w in shown] == [wid]


async def test_search_by_title_and_organisation(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as api:
        first = await create(api, title="Perhekeskus arjen tukena", organisation="Oulun kaupunki")
        second = await create(api, title="Ikäihmisten arki", organisation="Oulun seudun sote")
        by_org = (await api.get("/api/workshops?q=oulun")).json()["items"]
        assert {first["id"], second["id"]} <= {w["id"] for w in by_org}
        by_title = (await api.get("/api/workshops?q=perhekeskus")).json()["items"]
        assert [w["id"] for w in by_title] == [first["id"]]


async def test_share_links_mint_list_and_revoke(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as api:
        created = await create(api, visibility="private")
        wid, owner = created["id"], created["owner_token"]
        link = (
            await api.post(f"/api/workshops/{wid}/links", token=owner, json={"role": "commenter"})
        ).json()
        assert link["role"] == "commenter"
        assert link["url"].endswith(f"/workshops/{wid}?token={link['token']}")
        as_commenter = await api.get(f"/api/workshops/{wid}", token=link["token"])
        assert as_commenter.json()["role"] == "commenter"
        refused = await api.post(
            f"/api/workshops/{wid}/links", token=link["token"], json={"role": "owner"}
        )
        assert refused.status_code == 403
        listed = (await api.get(f"/api/workshops/{wid}/links", token=owner)).json()["items"]
        assert {entry["role"] for entry in listed} == {"owner", "commenter"}
        revoke = await api.delete(f"/api/workshops/{wid}/links/{link['id']}", token=owner)
        assert revoke.status_code == 204
        again = await api.delete(f"/api/workshops/{wid}/links/{link['id']}", token=owner)
        assert again.status_code == 404
        assert (await api.get(f"/api/workshops/{wid}", token=link["token"])).status_code == 403


async def test_bad_requests_get_the_error_shape(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as api:
        invalid = await api.post("/api/workshops", json={"title": "", "colour": "red"})
        assert invalid.status_code == 422
        details = invalid.json()["error"]["details"]
        assert any("colour" in line for line in details)
        assert any(line.startswith("title") for line in details)
        malformed = await api.post(
            "/api/workshops", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert malformed.status_code == 400
        assert (await api.get("/api/workshops/0123456789abcdef0123")).status_code == 404
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        unknown = await http.get("/api/nothing-here")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"


async def test_openapi_describes_every_endpoint(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        document = (await http.get("/api/openapi.json")).json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]["/api/workshops/{workshop_id}"]) == {"get", "patch", "delete"}
    created = document["paths"]["/api/workshops"]["post"]["responses"]["201"]
    ref = created["content"]["application/json"]["schema"]["$ref"]
    assert ref == "https://verstas.fi/schemas/workshop-created.response/1.json"


async def test_export_import_round_trip_loses_nothing(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as api:
        created = await create(api, title="Yöpartio", municipality="Pohjois-Savo", funder="STM")
        wid, owner = created["id"], created["owner_token"]
        text = "Hoitaja käy öisin, 24/7 ✓"
        async with python_client(server.http_url, wid, token=owner) as content:
            cell = text_at(content, "matrix/client.actors")
            cell.insert(0, text)
            add_component(content, "Yhteydenotto", "Asiakas soittaa")
            add_component(content, "Käynti", "Hoitaja tulee")
            purpose = text_at(content, "model/purpose")
            purpose.insert(0, "Turvallinen yö kotona")
            async with python_client(server.http_url, f"{wid}.comments", token=owner) as notes:
                positions = anchor(content, "model/purpose", 0, 10)
                add_thread(notes, positions, "Aino", "Tarkenna", "2026-11-28T10:00:00+00:00")
                await wait_for_export(api, wid, lambda e: len(e["comments"]) == 1)
            await wait_for_export(api, wid, lambda e: len(e["content"]["components"]) == 2)
        exported = (await api.get(f"/api/workshops/{wid}/export.json")).json()
        assert exported["content"]["matrix"]["client"]["actors"] == text
        assert exported["comments"][0]["anchor"]["quote"] == "Turvallinen yö kotona"[:10]
        imported = await api.post("/api/workshops/import", json=exported)
        assert imported.status_code == 201
        new_id = imported.json()["id"]
        again = (await api.get(f"/api/workshops/{new_id}/export.json")).json()
        for key in ("created", "updated"):
            exported["metadata"].pop(key)
            again["metadata"].pop(key)
        assert again == exported
        markdown = await api.get(f"/api/workshops/{new_id}/export.md")
        assert "Turvallinen yö kotona" in markdown.text
        assert "Yhteydenotto" in markdown.text
        bad = await api.post("/api/workshops/import", json={**exported, "format": "other/9"})
        assert bad.status_code == 422


async def wait_for_export(
    api: ApiClient, wid: str, condition: Callable[[dict[str, Any]], bool]
) -> None:
    """Edits travel over the socket; the export shows them once they are committed."""

    async def check() -> bool:
        return condition((await api.get(f"/api/workshops/{wid}/export.json")).json())

    await wait_for(check, what="the export to show the edits")
