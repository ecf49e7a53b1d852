"""The family side by side and the model page, on a real server: the example family made from
the front page, the comparison API (checked against its schema by ApiClient) with only what the
reader may read in it, read without loading anyone's document into a room, and the model page
as a document without JavaScript, to share and to adopt from."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import httpx
import pytest

from documents.demo_content import ADOPTIONS, ROOT_TITLE
from tests.integration.test_lineage import adopt, create, write
from tests.support.api import ApiClient
from tests.support.server import ServerProcess

pytestmark = pytest.mark.asyncio


async def example(server: ServerProcess) -> list[dict[str, Any]]:
    """The example family, made from the empty front page's button; its lineage's nodes."""
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        front = await http.get("/")
        assert 'action="/example"' in front.text
        shown = await http.post("/example", headers={"Origin": server.http_url})
        again = await http.post("/example", headers={"Origin": server.http_url})
        forged = await http.post("/example", headers={"Origin": "http://elsewhere.example"})
    assert shown.status_code == again.status_code == 303
    assert shown.headers["location"] == again.headers["location"]
    assert forged.status_code == 403
    root = shown.headers["location"].removeprefix("/workshops/")
    async with ApiClient(server.http_url) as api:
        lineage = (await api.get(f"/api/workshops/{root}/lineage")).json()
    nodes: list[dict[str, Any]] = lineage["nodes"]
    return nodes


async def loaded_documents(server: ServerProcess) -> float:
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        metrics = (await http.get("/metrics")).text
    found = re.search(r"^verstas_documents_loaded (\S+)$", metrics, re.M)
    assert found is not None
    return float(found.group(1))


async def test_the_example_family_side_by_side_marks_what_each_adoption_changed(
    server_closed: ServerProcess,
) -> None:
    server = server_closed
    nodes = await example(server)
    assert [node.get("title") for node in nodes] == [
        ROOT_TITLE,
        *(adoption["title"] for adoption in ADOPTIONS),
    ]
    root, keitele, tervo = (node["id"] for node in nodes)
    assert await loaded_documents(server) == 0

    async with ApiClient(server.http_url) as api:
        path = f"/api/workshops/{tervo}/family/content"
        answer = (await api.get(f"{path}?members={root},{keitele},{tervo}")).json()
        default = (await api.get(f"/api/workshops/{root}/family/content?cells=evaluation")).json()

    assert answer["root"] == root
    assert [m["id"] for m in answer["members"]] == [root, keitele, tervo]
    assert [m["parent"] for m in answer["members"]] == [None, root, keitele]
    origin, neighbour, third = answer["members"]
    environment = "model/operating_environment"
    assert origin["cells"][environment]["change"] is None
    assert neighbour["cells"][environment]["change"] == "rewritten"
    assert third["cells"][environment]["change"] == "rewritten"
    # Tervo took Keitele's conditions as they were: no change of its own.
    assert third["cells"]["model/conditions"] == {
        "text": neighbour["cells"]["model/conditions"]["text"],
        "change": None,
    }
    video = "model/components/d3e1e7e1e0000005"
    assert origin["cells"][video] == {"text": None, "change": None}
    assert neighbour["cells"][video]["change"] == "added"
    assert third["cells"][video] == {"text": None, "change": "removed"}
    assert answer["cells"][:6] == [
        f"model/{key}"
        for key in (
            "name",
            "short_description",
            "purpose",
            "core_idea",
            "operating_environment",
            "conditions",
        )
    ]
    assert neighbour["organisation"] == "Keiteleen terveysasema"
    assert neighbour["place"] == "Keiteleen terveysasema"
    # The default: the root and its direct adoptions, in the evaluation's cells only.
    assert [m["id"] for m in default["members"]] == [root, keitele]
    assert set(default["cells"]) == set(default["members"][0]["cells"])
    assert all(cell.startswith("evaluation/") for cell in default["cells"])
    # Read from the store: nobody's document was loaded into a room to answer.
    assert await loaded_documents(server) == 0


async def test_only_the_members_the_reader_may_read_show_their_texts(
    server_closed: ServerProcess,
) -> None:
    server = server_closed
    async with ApiClient(server.http_url) as api:
        origin = await create(api)
        hidden = await adopt(api, origin["id"], "Salainen kunta", reason="Kokeilu")
        open_one = await adopt(api, origin["id"], "Avoin kunta", reason="Hyvä malli")
        assert hidden["title"] == "Kotihoidon yöpartio (Salainen kunta)"
        await write(server, hidden["id"], hidden["owner_token"], "Salaisen kunnan oma idea")
        await write(server, open_one["id"], open_one["owner_token"], "Avoimen kunnan idea")
        made_private = await api.patch(
            f"/api/workshops/{hidden['id']}",
            token=hidden["owner_token"],
            json={"visibility": "private"},
        )
        assert made_private.status_code == 200
        members = f"members={origin['id']},{hidden['id']},{open_one['id']}"
        anonymous = await api.get(f"/api/workshops/{origin['id']}/family/content?{members}")
        own = await api.get(
            f"/api/workshops/{hidden['id']}/family/content?{members}&cells=model/core_idea",
            token=hidden["owner_token"],
        )
        strangers = await api.get(
            f"/api/workshops/{origin['id']}/family/content?members=" + "f" * 20
        )
        malformed = await api.get(f"/api/workshops/{origin['id']}/family/content?members=x")
        unknown_cell = await api.get(f"/api/workshops/{origin['id']}/family/content?cells=ideas")

    assert anonymous.status_code == 200
    assert "Salaisen" not in anonymous.text
    assert "Salainen" not in anonymous.text
    assert anonymous.json()["members"][1] == {
        "id": hidden["id"],
        "parent": origin["id"],
        "private": True,
    }
    public = anonymous.json()["members"][2]
    assert public["cells"]["model/core_idea"] == {"text": "Avoimen kunnan idea", "change": "added"}
    # Through its own token, the private adoption reads itself.
    mine = own.json()["members"][1]
    assert mine["title"] == "Kotihoidon yöpartio (Salainen kunta)"
    assert mine["cells"] == {
        "model/core_idea": {"text": "Salaisen kunnan oma idea", "change": "added"}
    }
    assert own.json()["cells"] == ["model/core_idea"]
    assert strangers.status_code == 422
    assert strangers.json()["error"]["code"] == "not_in_family"
    assert malformed.status_code == unknown_cell.status_code == 400


def meta(page: str, attribute: str, name: str) -> str:
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', page)
    assert found is not None, name
    return unescape(found.group(1))


async def test_the_model_page_reads_shares_and_adopts_without_javascript(
    server_closed: ServerProcess,
) -> None:
    server = server_closed
    nodes = await example(server)
    root = nodes[0]["id"]
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        page = (await http.get(f"/workshops/{root}/model")).text
        origin = {"Origin": server.http_url}
        adopted = await http.post(
            f"/workshops/{root}/adopt",
            data={"organisation": "Rautavaaran kunta", "reason": "Sama tarve"},
            headers=origin,
        )
        refused = await http.post(
            f"/workshops/{root}/adopt", data={"organisation": "", "reason": ""}, headers=origin
        )
        forged = await http.post(
            f"/workshops/{root}/adopt",
            data={"organisation": "Joku", "reason": "Muu"},
            headers={"Origin": "http://elsewhere.example"},
        )
        new_page = await http.get(adopted.headers["location"], follow_redirects=True)

    assert "<script" not in page
    assert meta(page, "property", "og:title") == "Hoitaja soittaa takaisin"
    assert meta(page, "property", "og:description").startswith("Terveysaseman puhelinpalvelu")
    assert meta(page, "property", "og:url") == f"{server.http_url}/workshops/{root}/model"
    assert meta(page, "name", "twitter:card") == "summary"
    titles = re.findall(r"<li><h3>([^<]*)</h3>", page)
    assert titles == [
        "Yksi numero ja soittopyyntö",
        "Hoitajan arvio puhelimessa",
        "Oikea ammattilainen kerralla",
        "Viikoittainen vuorosuunnittelu",
    ]
    assert "Käytössä 2 muussa paikassa." in page
    assert f'href="/workshops/{root}/family"' in page
    assert "Vakiinnutetaan 1.1. alkaen" in page
    assert adopted.status_code == 303
    assert re.fullmatch(
        r"/workshops/[0-9a-f]{20}\?token=[^&]+&created=1", adopted.headers["location"]
    )
    assert f"{ROOT_TITLE} (Rautavaaran kunta)" in new_page.text
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert forged.status_code == 403


async def test_a_shared_model_link_never_carries_a_token(server_closed: ServerProcess) -> None:
    server = server_closed
    async with ApiClient(server.http_url) as api:
        private = await create(api, visibility="private")
        viewer = (
            await api.post(
                f"/api/workshops/{private['id']}/links",
                token=private["owner_token"],
                json={"role": "viewer"},
            )
        ).json()["token"]
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        anonymous = await http.get(f"/workshops/{private['id']}/model")
        landed = await http.get(f"/workshops/{private['id']}/model?token={viewer}")
        page = await http.get(landed.headers["location"])
    assert anonymous.status_code == 401
    assert landed.status_code == 303
    assert landed.headers["location"] == f"/workshops/{private['id']}/model"
    assert page.status_code == 200
    assert viewer not in page.text.replace(f'name="token" value="{viewer}"', "")
    assert meta(page.text, "property", "og:url").endswith(f"/workshops/{private['id']}/model")
    assert meta(page.text, "name", "robots") == "noindex"
