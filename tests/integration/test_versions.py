"""Versions and restores through the running server with real clients: a restore keeps every
comment on words it does not change, can itself be undone from the list, and every page hears
of a new version or a restore through the comments document; automatic versions do not repeat
the previous one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Text

from documents.access import DocumentKind
from documents.comments import AnchorPositions, add_thread, anchor
from documents.version_notice import NOTICE_ROOT
from documents.workshop_doc import (
    ContentData,
    add_component,
    add_idea,
    load_document,
    root,
    text_at,
)
from tests.support.api import ApiClient
from tests.support.conditions import wait_for, wait_until
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess

# A sentence in each kind of cell, and the word a thread is on.
SENTENCES = {
    "matrix/client.actors": ("Asiakas ja omainen sopivat yhdessä", "omainen"),
    "model/purpose": ("Ikääntynyt asuu kotonaan turvallisesti", "kotonaan"),
    "path/needs": ("Yöllä ei ole ketään 😀 paikalla", "ketään"),
    "evaluation/trial": ("Kokeilu kolmessa kunnassa keväällä", "kolmessa"),
}
WHEN = "2026-12-04T10:00:00+00:00"


async def create(api: ApiClient) -> tuple[str, str]:
    body = {"title": "Kotihoidon yöpartio", "organisation": "Kuopio"}
    created = (await api.post("/api/workshops", json=body)).json()
    return created["id"], created["owner_token"]


async def exported(api: ApiClient, wid: str, token: str) -> dict[str, Any]:
    data: dict[str, Any] = (await api.get(f"/api/workshops/{wid}/export.json", token=token)).json()
    return data


def words_at(doc: Doc[Any], field: str, words: str) -> AnchorPositions:
    value = str(text_at(doc, field))
    start = value.index(words)
    return anchor(doc, field, start, start + len(words))


def surround(text: Text) -> None:
    """Edit a text before and after what it holds, as someone working on the same cell."""
    text.insert(0, "Uusi alku. ")
    text.insert(len(str(text).encode()), " Ja uusi loppu.")


@pytest.mark.asyncio
async def test_a_restore_keeps_every_comment_on_words_it_does_not_change(
    server_closed: ServerProcess,
) -> None:
    """A thread on a word of each kind of cell (matrix, model, path, evaluation, a component's
    title, an idea), edits elsewhere in the same cells, a restore: every thread still quotes
    its word, in the server's export. A thread on words the restore removes exports null."""
    url = server_closed.http_url
    async with ApiClient(url) as api:
        wid, owner = await create(api)
        content = load_document(DocumentKind.CONTENT)
        comments = load_document(DocumentKind.COMMENTS)
        async with (
            python_client(url, wid, content, token=owner),
            python_client(url, f"{wid}.comments", comments, token=owner),
        ):
            for field, (sentence, _) in SENTENCES.items():
                text_at(content, field).insert(0, sentence)
            component = add_component(content, "Kotiutuspäivän käynti", "Fysioterapeutti")
            idea = add_idea(content, "Tabletti videopuheluihin omaisille", "Aino")
            words = {field: word for field, (_, word) in SENTENCES.items()}
            words[f"model/components/{component}/title"] = "käynti"
            words[f"ideas/{idea}/text"] = "videopuheluihin"
            await wait_for(lambda: _component_stored(api, wid, owner), what="the content stored")
            path = f"/api/workshops/{wid}/versions"
            version = (await api.post(path, token=owner, json={"label": "Ennen"})).json()
            version_content = await _version_content(api, wid, version["id"])

            for field, word in words.items():
                add_thread(comments, words_at(content, field, word), "Liisa", word, WHEN)
                surround(text_at(content, field))
            purpose = text_at(content, "model/purpose")
            purpose.insert(len(str(purpose).encode()), " myös yöllä")
            add_thread(
                comments,
                words_at(content, "model/purpose", "myös yöllä"),
                "Mikko",
                "Lisäys",
                WHEN,
            )
            await wait_for(
                lambda: _threads_stored(api, wid, owner, len(words) + 1), what="threads stored"
            )

            restored = await api.post(f"{path}/{version['id']}/restore", token=owner)
            assert restored.status_code == 200, restored.text
            assert sorted(restored.json()["changed"]) == sorted(
                field.removesuffix("/title").removesuffix("/text") for field in words
            )
            await wait_until(
                lambda: str(text_at(content, "model/purpose")) == SENTENCES["model/purpose"][0],
                what="the restore seen by the connected client",
            )

        export = await exported(api, wid, owner)
        assert export["content"] == version_content
        anchors = {thread["body"]: thread["anchor"] for thread in export["comments"]}
        for field, word in words.items():
            found = anchors[word]
            assert (found["field"], found["quote"]) == (field, word)
            assert found["start"] is not None
            assert str(text_at(content, field))[found["start"] : found["end"]] == word
        assert anchors["Lisäys"] == {
            "field": "model/purpose",
            "start": None,
            "end": None,
            "quote": "",
        }


async def _component_stored(api: ApiClient, wid: str, token: str) -> bool:
    content = (await exported(api, wid, token))["content"]
    return bool(content["components"] and content["ideas"] and content["path"]["needs"])


async def _threads_stored(api: ApiClient, wid: str, token: str, count: int) -> bool:
    return len((await exported(api, wid, token))["comments"]) == count


async def _version_content(api: ApiClient, wid: str, version_id: str) -> ContentData:
    path = f"/api/workshops/{wid}/versions/{version_id}/export.json"
    content: ContentData = (await api.get(path)).json()["content"]
    return content


async def write(server: ServerProcess, wid: str, token: str, field: str, value: str) -> None:
    """Replace a text through a real client and wait until the server has committed it."""
    doc = load_document(DocumentKind.CONTENT)
    async with python_client(server.http_url, wid, doc, token=token):
        text = text_at(doc, field)
        del text[0 : len(text)]
        text.insert(0, value)
    section, key = field.split("/")

    async def stored() -> bool:
        async with ApiClient(server.http_url) as api:
            return bool((await exported(api, wid, token))["content"][section][key] == value)

    await wait_for(stored, what=f"{value!r} committed")


@pytest.mark.asyncio
async def test_a_restore_is_undone_from_the_list_and_every_page_hears_of_it(
    server_closed: ServerProcess,
) -> None:
    server = server_closed
    field = "model/core_idea"
    async with ApiClient(server.http_url) as api:
        wid, owner = await create(api)
        path = f"/api/workshops/{wid}/versions"
        notices = load_document(DocumentKind.COMMENTS)
        async with python_client(server.http_url, f"{wid}.comments", notices, token=owner):
            board = root(notices, NOTICE_ROOT)
            await write(server, wid, owner, field, "Ensimmäinen ajatus")
            first = await api.post(path, token=owner, json={"label": "v1", "author": "Aino"})
            first_version = first.json()
            assert (first_version["author"], first_version["kind"]) == ("Aino", "named")
            await wait_until(lambda: board.get("latest") == first_version["id"], what="notice")
            await write(server, wid, owner, field, "Toinen ajatus")

            restored = await api.post(
                f"{path}/{first_version['id']}/restore", token=owner, json={"author": "Mikko"}
            )
            before = restored.json()["before"]
            assert before["kind"] == "before_restore"
            assert (before["automatic"], before["author"]) == (True, "Mikko")
            await wait_until(lambda: board.get("latest") == before["id"], what="before's notice")
            first_restore = board.get("restore")
            assert isinstance(first_restore, str)
            listed = (await api.get(path)).json()["items"]
            assert [v["id"] for v in listed] == [before["id"], first_version["id"]]
            assert await _core_idea(api, wid, before["id"]) == "Toinen ajatus"
            assert await _core_idea(api, wid) == "Ensimmäinen ajatus"

            # Undo: restore the version the restore made (which makes one of what it undoes).
            undone = (await api.post(f"{path}/{before['id']}/restore", token=owner)).json()
            assert (undone["version"], undone["changed"]) == (before["id"], [field])
            assert await _core_idea(api, wid) == "Toinen ajatus"
            assert await _core_idea(api, wid, undone["before"]["id"]) == "Ensimmäinen ajatus"
            await wait_until(lambda: board.get("restore") != first_restore, what="restore notice")
            # Restoring what the content already reads as changes nothing and makes nothing.
            again = await api.post(f"{path}/{before['id']}/restore", token=owner)
            assert again.json() == {"version": before["id"], "changed": [], "before": None}
            assert len((await api.get(path)).json()["items"]) == 3

        as_cli = await api.post(f"{path}/{first_version['id']}/restore", token=owner)
        assert as_cli.json()["before"]["author"] is None, "no body: nobody named, no role"
        unnamed = (await api.post(path, token=owner, json={"label": "Nimetön"})).json()
        assert unnamed["author"] is None, "the role is not a name"
        refused = await api.post(
            f"{path}/{first_version['id']}/restore", token=owner, json={"author": 5}
        )
        assert refused.status_code == 422


async def _core_idea(api: ApiClient, wid: str, version: str | None = None) -> str:
    path = f"/api/workshops/{wid}/export.json"
    if version:
        path = f"/api/workshops/{wid}/versions/{version}/export.json"
    return str((await api.get(path)).json()["content"]["model"]["core_idea"])


@pytest.mark.asyncio
async def test_any_two_versions_are_compared(server_closed: ServerProcess) -> None:
    server = server_closed
    async with ApiClient(server.http_url) as api:
        wid, owner = await create(api)
        path = f"/api/workshops/{wid}/versions"
        await write(server, wid, owner, "model/name", "Yöpartio")
        one = (await api.post(path, token=owner, json={"label": "1"})).json()
        await write(server, wid, owner, "path/goals", "Vähemmän laitoshoitoa")
        two = (await api.post(path, token=owner, json={"label": "2"})).json()
        await write(server, wid, owner, "model/name", "Yöpartio 2")

        between = await api.get(f"/api/workshops/{wid}/diff?from={one['id']}&to={two['id']}")
        assert between.json()["changes"] == [
            {"cell": "path/goals", "from": "", "to": "Vähemmän laitoshoitoa"}
        ]
        backwards = await api.get(f"/api/workshops/{wid}/diff?from={two['id']}&to={one['id']}")
        assert backwards.json()["changes"] == [
            {"cell": "path/goals", "from": "Vähemmän laitoshoitoa", "to": ""}
        ]
        with_now = await api.get(f"/api/workshops/{wid}/diff?from={two['id']}&to=now")
        assert with_now.json()["changes"] == [
            {"cell": "model/name", "from": "Yöpartio", "to": "Yöpartio 2"}
        ]
        unknown = await api.get(f"/api/workshops/{wid}/diff?from={one['id']}&to={'0' * 20}")
        assert unknown.status_code == 404


@pytest.mark.asyncio
async def test_automatic_versions_do_not_repeat_the_previous_one(tmp_path: Path) -> None:
    """Edits that leave the content as it was (typed and taken back) make no automatic
    version; the next real change does. Every new one is noticed by the pages."""
    server = ServerProcess(tmp_path, open_documents=False, args=["--auto-version-after", "1"])
    await server.start()
    try:
        async with ApiClient(server.http_url) as api:
            wid, owner = await create(api)
            path = f"/api/workshops/{wid}/versions"

            async def versions(count: int) -> bool:
                return len((await api.get(path)).json()["items"]) == count

            await write(server, wid, owner, "model/purpose", "Hiljaisuus")
            await wait_for(lambda: versions(1), what="the first automatic version")

            doc = load_document(DocumentKind.CONTENT)
            async with python_client(server.http_url, wid, doc, token=owner):
                text = text_at(doc, "model/purpose")
                text.insert(len(text), " ja melu")
                await wait_for(lambda: _purpose_is(api, wid, "Hiljaisuus ja melu"), what="typed")
                del text[len(b"Hiljaisuus") : len(text)]
                await wait_for(lambda: _purpose_is(api, wid, "Hiljaisuus"), what="taken back")
            await wait_until(
                lambda: '"automatic_version_unchanged"' in server.log_text(),
                timeout=20,
                what="the quiet hook finding nothing new",
            )
            assert await versions(1)

            notices = load_document(DocumentKind.COMMENTS)
            async with python_client(server.http_url, f"{wid}.comments", notices, token=owner):
                await write(server, wid, owner, "model/purpose", "Uusi")
                await wait_for(lambda: versions(2), timeout=20, what="a version of the change")
                newest, oldest = (await api.get(path)).json()["items"]
                assert (newest["kind"], newest["author"]) == ("automatic", None)
                assert await _purpose(api, wid, newest["id"]) == "Uusi"
                assert await _purpose(api, wid, oldest["id"]) == "Hiljaisuus"
                board = root(notices, NOTICE_ROOT)
                await wait_until(lambda: board.get("latest") == newest["id"], what="the notice")
    finally:
        await server.stop()


async def _purpose(api: ApiClient, wid: str, version: str | None = None) -> str:
    path = f"/api/workshops/{wid}/export.json"
    if version:
        path = f"/api/workshops/{wid}/versions/{version}/export.json"
    return str((await api.get(path)).json()["content"]["model"]["purpose"])


async def _purpose_is(api: ApiClient, wid: str, text: str) -> bool:
    return await _purpose(api, wid) == text
