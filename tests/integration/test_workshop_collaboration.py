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
    add_component,
    components_map,
    content_to_data,
    load_document,
    reorder_component,
    text_at,
)
from tests.support.api import ApiClient
from tests.support.conditions import wait_until
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess, running_server

pytestmark = pytest.mark.asyncio(loop_scope="module")
CELL = "matrix/professional.tasks"


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


async def test_concurrent_reorders_never_duplicate_or_lose_an_edit(server: ServerProcess) -> None:
    wid, tokens = await workshop(server)
    url, token = server.http_url, tokens["editor"]
    a, b, c = content_doc(), content_doc(), content_doc()
    async with python_client(url, wid, a, token=token):
        ids = [add_component(a, f"Vaihe {n}", f"Kuvaus {n}") for n in range(4)]
    async with python_client(url, wid, b, token=token), python_client(url, wid, c, token=token):
        await wait_until(lambda: len(components_map(b)) == 4 and len(components_map(c)) == 4)
    # Offline on three replicas: two move the same item to different places, one edits it.
    reorder_component(a, ids[3], None, ids[0])
    reorder_component(b, ids[3], ids[1], ids[2])
    title = components_map(c)[ids[3]]["title"]
    assert isinstance(title, Text)
    title.insert(0, "Tärkein: ")
    async with (
        python_client(url, wid, a, token=token),
        python_client(url, wid, b, token=token),
        python_client(url, wid, c, token=token),
    ):
        await wait_until(lambda: _converged_with_edit(a, b, c))
    components = content_to_data(a)["components"]
    assert sorted(item["id"] for item in components) == sorted(ids)
    moved = next(item for item in components if item["id"] == ids[3])
    assert moved["title"] == "Tärkein: Vaihe 3"
    assert components == content_to_data(b)["components"] == content_to_data(c)["components"]


def _converged_with_edit(*docs: Doc[Any]) -> bool:
    views = [content_to_data(doc)["components"] for doc in docs]
    return all(view == views[0] for view in views) and any(
        item["title"].startswith("Tärkein") for item in views[0]
    )
