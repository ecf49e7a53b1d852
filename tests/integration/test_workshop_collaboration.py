"""Workshop documents edited by several real clients at once: comments, anchors, reorders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pycrdt import Doc, Text

from documents.access import DocumentKind
from documents.comments import add_thread, anchor, comments_to_data
from documents.workshop_doc import (
    Component,
    add_component,
    components_map,
    content_to_data,
    load_document,
    text_at,
)
from tests.support.api import ApiClient
from tests.support.conditions import wait_for, wait_until
from tests.support.jsclient import JsClient
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess, running_server

pytestmark = pytest.mark.asyncio(loop_scope="module")
CELL = "matrix/professional.tasks"
CONTENT = DocumentKind.CONTENT


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServerProcess]:
    workdir: Path = tmp_path_factory.mktemp("collab")
    async with running_server(workdir, open_documents=False) as process:
        yield process


async def workshop(server: ServerProcess) -> tuple[str, dict[str, str]]:
    async with ApiClient(server.http_url) as api:
        body = {"title": "Yhdessä", "organisation": "Turku"}
        created = (await api.post("/api/workshops", json=body)).json()
        tokens = {"owner": created["owner_token"]}
        for role in ("viewer", "commenter", "editor"):
            path = f"/api/workshops/{created['id']}/links"
            link = await api.post(path, token=created["owner_token"], json={"role": role})
            tokens[role] = link.json()["token"]
        return created["id"], tokens


def content_doc() -> Doc[Any]:
    return load_document(DocumentKind.CONTENT)


def comments_doc() -> Doc[Any]:
    return load_document(DocumentKind.COMMENTS)


async def test_comment_by_a_commenter_is_seen_by_an_editor_and_viewers_cannot_comment(
    server: ServerProcess,
) -> None:
    wid, tokens = await workshop(server)
    url = server.http_url
    async with python_client(url, wid, content_doc(), token=tokens["editor"]) as content:
        text_at(content, CELL).insert(0, "Hoitajat jakavat yövuorot")
        async with python_client(url, wid, content_doc(), token=tokens["commenter"]) as seen:
            await wait_until(lambda: str(text_at(seen, CELL)) == "Hoitajat jakavat yövuorot")
            positions = anchor(seen, CELL, 9, 16)
        async with python_client(
            url, f"{wid}.comments", comments_doc(), token=tokens["commenter"]
        ) as notes:
            add_thread(notes, positions, "Kaisa", "Kuka päättää?", "2026-11-28T10:00:00+00:00")
            async with python_client(
                url, f"{wid}.comments", comments_doc(), token=tokens["editor"]
            ) as editor_view:
                await wait_until(lambda: len(comments_to_data(editor_view, content)) == 1)
                (thread,) = comments_to_data(editor_view, content)
        assert thread["body"] == "Kuka päättää?"
        assert thread["anchor"]["quote"] == "jakavat"
        async with python_client(
            url, f"{wid}.comments", comments_doc(), token=tokens["viewer"]
        ) as viewer_notes:
            add_thread(viewer_notes, positions, "Ville", "Minäkin!", "2026-11-28T10:01:00+00:00")
        async with python_client(
            url, f"{wid}.comments", comments_doc(), token=tokens["owner"]
        ) as check:
            assert [t["author"] for t in comments_to_data(check, content)] == ["Kaisa"]


async def test_anchors_keep_their_words_through_concurrent_edits_around_them(
    server: ServerProcess,
) -> None:
    wid, tokens = await workshop(server)
    url, token = server.http_url, tokens["editor"]
    first, second = content_doc(), content_doc()
    async with python_client(url, wid, first, token=token):
        text_at(first, CELL).insert(0, "asiakas soittaa yöllä hoitajalle")
    async with python_client(url, wid, second, token=token):
        await wait_until(lambda: str(text_at(second, CELL)).endswith("hoitajalle"))
    positions = anchor(first, CELL, 8, 15)  # "soittaa"
    # Both edit offline, so the edits are concurrent: before, inside and after the range.
    text_at(first, CELL).insert(0, "Iäkäs ")
    cell = text_at(second, CELL)
    cell.insert(len(cell), " heti")
    cell.insert(len(b"asiakas soi"), "t")
    async with (
        python_client(url, wid, first, token=token),
        python_client(url, wid, second, token=token),
    ):
        await wait_until(lambda: str(text_at(first, CELL)) == str(text_at(second, CELL)))
        await wait_until(lambda: str(text_at(first, CELL)).endswith("heti"))
    merged = str(text_at(first, CELL))
    assert merged == "Iäkäs asiakas soitttaa yöllä hoitajalle heti"
    resolved = comments_to_data(_with_thread(positions), first)[0]["anchor"]
    # Text typed inside the range joins it; text typed before or after it stays outside.
    assert resolved["quote"] == "soitttaa"
    assert merged[resolved["start"] : resolved["end"]] == "soitttaa"


def _with_thread(positions: Any) -> Doc[Any]:
    comments = comments_doc()
    add_thread(comments, positions, "a", "b", "2026-11-28T10:00:00+00:00")
    return comments


COMPONENTS = "model/components"


async def test_concurrent_reorders_never_duplicate_or_lose_an_edit(server: ServerProcess) -> None:
    """Two people move the same component to different places while offline, with the page's
    own code (web/client/order.js), and a third edits its title meanwhile."""
    wid, tokens = await workshop(server)
    url, token = server.http_url, tokens["editor"]
    seeded, c = content_doc(), content_doc()
    async with python_client(url, wid, seeded, token=token):
        ids = [add_component(seeded, f"Vaihe {n}", f"Kuvaus {n}") for n in range(4)]
    async with python_client(url, wid, c, token=token):
        await wait_until(lambda: len(components_map(c)) == 4)
    async with JsClient.start() as js:
        for page in ("a", "b"):
            await js.open(page, server.ws_url, wid, {"token": token})
            await js.wait_synced(page)
            await js.disconnect(page)
        # Offline on three replicas: two move the same item to different places, one edits it.
        assert await js.move("a", COMPONENTS, ids[3], -3) == [ids[3], *ids[:3]]
        assert await js.move("b", COMPONENTS, ids[3], -1) == [ids[0], ids[1], ids[3], ids[2]]
        title = components_map(c)[ids[3]]["title"]
        assert isinstance(title, Text)
        title.insert(0, "Tärkein: ")
        for page in ("a", "b"):
            await js.connect(page)

        async def pages() -> list[list[Component]]:
            states = [await js.state(page) for page in ("a", "b")]
            return [content_to_data(load_document(CONTENT, s))["components"] for s in states]

        async def converged() -> bool:
            views = [*await pages(), content_to_data(c)["components"]]
            return all(view == views[0] for view in views) and any(
                item["title"].startswith("Tärkein") for item in views[0]
            )

        async with python_client(url, wid, c, token=token):
            await wait_for(converged, what="the three replicas alike, with the edit")
        components = content_to_data(c)["components"]
        assert sorted(item["id"] for item in components) == sorted(ids)
        moved = next(item for item in components if item["id"] == ids[3])
        assert moved["title"] == "Tärkein: Vaihe 3"
        assert await js.order("a", COMPONENTS) == [item["id"] for item in components]


def moves_until_floats_run_out(low: float = 1.0, high: float = 2.0) -> int:
    """How often a gap above `low` can be halved before no float lies inside it."""
    moves = 0
    while low < low + (high - low) / 2 < high:
        high = low + (high - low) / 2
        moves += 1
    return moves


async def test_moves_that_exhaust_the_floats_renumber_the_list_alike_everywhere(
    server: ServerProcess,
) -> None:
    """Moving the last component up one place, again and again, halves the gap above the
    second one each time until floats leave no room: the page then renumbers the list, and
    every reader sorts it as the page does."""
    wid, tokens = await workshop(server)
    url, token = server.http_url, tokens["editor"]
    reader = content_doc()
    async with python_client(url, wid, reader, token=token), JsClient.start() as js:
        expected = [add_component(reader, name, "") for name in ("0", "1", "2", "3")]
        await js.open("page", server.ws_url, wid, {"token": token})
        await js.wait_synced("page")
        await wait_for(
            lambda: _order_is(js, expected), what="the page has the components the reader added"
        )
        for _ in range(moves_until_floats_run_out() + 10):
            expected[2:] = expected[3], expected[2]
            assert await js.move("page", COMPONENTS, expected[2], -1) == expected

        def alike() -> bool:
            return [item["id"] for item in content_to_data(reader)["components"]] == expected

        await wait_until(alike, what="the reader's order the page's")
        orders = [components_map(reader)[key]["order"] for key in expected]
        assert orders == sorted(set(orders))


async def _order_is(js: JsClient, expected: list[str]) -> bool:
    return await js.order("page", COMPONENTS) == expected
