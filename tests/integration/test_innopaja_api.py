"""A live Innopaja session over the API, on a real server: what the facilitator steers reaches
everyone through the session document, notes stay with their author until the reveal, dot
votes keep their limits and their tallies to themselves, and ending leaves a record."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.support.api import ApiClient
from tests.support.conditions import wait_for
from tests.support.jsclient import JsClient
from tests.support.server import ServerProcess, running_server
from tests.support.sessions import LiveWorkshop, live_workshop

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServerProcess]:
    workdir: Path = tmp_path_factory.mktemp("innopaja")
    async with running_server(workdir, open_documents=False) as process:
        yield process


@pytest_asyncio.fixture(loop_scope="module")
async def api(server: ServerProcess) -> AsyncIterator[ApiClient]:
    async with ApiClient(server.http_url) as client:
        yield client


async def shown(js: JsClient, id: str) -> dict[str, Any]:
    """What the session document shows one y-websocket client (as the pages will read it)."""
    return await js.map_get(id, "session")


async def wait_shown(js: JsClient, id: str, check: Any, what: str) -> dict[str, Any]:
    async def holds() -> bool:
        return bool(check(await shown(js, id)))

    await wait_for(holds, what=what)
    return await shown(js, id)


async def ideas(live: LiveWorkshop) -> list[dict[str, Any]]:
    export = (await live.api.get(f"/api/workshops/{live.workshop}/export.json")).json()
    found: list[dict[str, Any]] = export["content"]["ideas"]
    return found


async def test_the_facilitator_steers_and_everyone_sees_it_live(
    server: ServerProcess, api: ApiClient
) -> None:
    live = await live_workshop(api)
    async with JsClient.start() as js:
        await js.open("p", server.ws_url, f"{live.workshop}.session", {"token": live.participant})
        await js.wait_synced("p")
        entries = await wait_shown(js, "p", lambda e: e.get("id") == live.session, "session")
        assert [p["title"] for p in entries["phases"]] == ["Ideoi", "Kehitä", "Toteuta"]
        assert (entries["phase"], entries["live"]) == (0, True)
        assert (entries["timer"], entries["vote"], entries["revealed"]) == (None, None, [])

        await live.steer("/phase", {"index": 1})
        await live.steer("/focus", {"target": "matrix/client.actors"})
        session = await live.steer("/timer", {"action": "start", "seconds": 600})
        ends_at = session["timer"]["ends_at"]
        assert abs(ends_at - (session["server_time"] + 600_000)) < 5_000
        await live.steer("/locks", {"targets": ["model", "matrix/client.tasks"], "locked": True})
        entries = await wait_shown(
            js, "p", lambda e: e["locks"] == ["matrix/client.tasks", "model"], "locks"
        )
        assert (entries["phase"], entries["focus"]) == (1, "matrix/client.actors")
        assert entries["timer"]["running"]
        assert entries["timer"]["ends_at"] == ends_at

        paused = await live.steer("/timer", {"action": "pause"})
        assert not paused["timer"]["running"]
        assert 590_000 < paused["timer"]["remaining"] <= 600_000
        entries = await wait_shown(js, "p", lambda e: not e["timer"]["running"], "pause")
        assert entries["timer"]["remaining"] == paused["timer"]["remaining"]

    listed = (await api.get(f"/api/workshops/{live.workshop}/sessions")).json()
    assert [s["id"] for s in listed["items"]] == [live.session]
    assert listed["items"][0]["periods"][0]["ended_at"] is not None


async def test_facilitator_actions_are_checked(api: ApiClient) -> None:
    live = await live_workshop(api)
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        ("/phase", {"index": 3}, 422, "invalid_phase"),
        ("/focus", {"target": "matrix/client.weather"}, 422, "invalid_target"),
        ("/locks", {"targets": ["comments"], "locked": True}, 422, "invalid_target"),
        ("/timer", {"action": "pause"}, 409, "timer_state"),
        ("/timer", {"action": "start"}, 422, "invalid_request"),
    ]
    for suffix, body, status, code in cases:
        response = await api.post(live.path + suffix, token=live.facilitator, json=body)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), suffix
    person = await live.join("Aino")
    refused = await live.as_person("POST", "/phase", person, {"index": 1})
    assert refused.status_code == 403
    again = await api.post(
        f"/api/workshops/{live.workshop}/sessions", token=live.facilitator, json={"title": "x"}
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "session_live")


async def test_notes_are_their_authors_until_revealed_into_the_ideas(api: ApiClient) -> None:
    live = await live_workshop(api)
    aino, matti = await live.join("Aino"), await live.join("Matti")
    written = await live.as_person("POST", "/notes", aino, {"text": "Yöpartio omaisille"})
    assert written.status_code == 201
    note = written.json()
    other = (await live.as_person("POST", "/notes", matti, {"text": "Kotikäynnit"})).json()

    mine = (await live.as_person("GET", "/notes", aino)).json()
    assert [n["text"] for n in mine["items"]] == ["Yöpartio omaisille"]
    anonymous = (await api.get(live.path + "/notes", token=live.participant)).json()
    assert anonymous["items"] == []
    everyone = (await api.get(live.path + "/notes", token=live.facilitator)).json()
    assert {(n["author"], n["text"]) for n in everyone["items"]} == {
        ("Aino", "Yöpartio omaisille"),
        ("Matti", "Kotikäynnit"),
    }

    stolen = await live.as_person("PATCH", f"/notes/{note['id']}", matti, {"text": "kaapattu"})
    assert stolen.status_code == 404
    edited = await live.as_person("PATCH", f"/notes/{note['id']}", aino, {"text": "Yöpartio"})
    assert edited.json()["text"] == "Yöpartio"
    assert (await live.as_person("DELETE", f"/notes/{other['id']}", matti)).status_code == 204
    missing = await api.post(live.path + "/notes", token=live.participant, json={"text": "x"})
    assert missing.json()["error"]["code"] == "person_required"
    forged = await live.as_person("POST", "/notes", "0" * 20, {"text": "x"})
    assert forged.json()["error"]["code"] == "unknown_person"
    assert await ideas(live) == []

    revealed = await api.post(live.path + "/reveal", token=live.facilitator, json={})
    assert revealed.json() == {
        "revealed": [{"id": note["id"], "text": "Yöpartio", "author": "Aino"}]
    }
    assert [(i["id"], i["text"], i["author"]) for i in await ideas(live)] == [
        (note["id"], "Yöpartio", "Aino")
    ]
    late = await live.as_person("PATCH", f"/notes/{note['id']}", aino, {"text": "myöhässä"})
    assert (late.status_code, late.json()["error"]["code"]) == (409, "note_revealed")

    anonymous_note = (await live.as_person("POST", "/notes", matti, {"text": "Nimetön"})).json()
    again = await api.post(live.path + "/reveal", token=live.facilitator, json={"anonymous": True})
    assert again.json()["revealed"] == [
        {"id": anonymous_note["id"], "text": "Nimetön", "author": None}
    ]
    assert (await ideas(live))[-1]["author"] == ""


async def test_dot_votes_keep_their_limits_and_their_tallies_until_closed(
    server: ServerProcess, api: ApiClient
) -> None:
    live = await live_workshop(api)
    aino, matti = await live.join("Aino"), await live.join("Matti")
    for text in ("Yöpartio", "Omaiset", "Etäkäynti"):
        await live.as_person("POST", "/notes", aino, {"text": text})
    await api.post(live.path + "/reveal", token=live.facilitator, json={})
    items = [f"ideas/{idea['id']}" for idea in await ideas(live)]
    unknown = await api.post(
        live.path + "/votes",
        token=live.facilitator,
        json={"items": ["ideas/nosuchidea"], "per_person": 3, "max_per_item": 2},
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "invalid_vote")
    opened = await api.post(
        live.path + "/votes",
        token=live.facilitator,
        json={"items": items, "per_person": 3, "max_per_item": 2},
    )
    assert opened.status_code == 201
    vote = opened.json()["id"]

    async def dot(person: str, item: str, take_back: bool = False) -> Any:
        action = "/uncast" if take_back else "/cast"
        return await live.as_person("POST", f"/votes/{vote}{action}", person, {"item": item})

    assert (await dot(aino, items[0])).json()["mine"] == {items[0]: 1}
    assert (await dot(aino, items[0])).json()["dots_left"] == 1
    over_cap = await dot(aino, items[0])
    assert (over_cap.status_code, over_cap.json()["error"]["code"]) == (409, "vote_item_cap")
    assert "per-item limit" in over_cap.json()["error"]["message"]
    await dot(aino, items[1])
    over_budget = await dot(aino, items[2])
    assert (over_budget.status_code, over_budget.json()["error"]["code"]) == (
        409,
        "vote_budget_spent",
    )
    assert "per-person limit" in over_budget.json()["error"]["message"]
    assert (await dot(aino, items[1], take_back=True)).json()["mine"] == {items[0]: 2}
    await dot(aino, items[2])
    await dot(matti, items[2])

    seen = (await live.as_person("GET", f"/votes/{vote}", matti)).json()
    assert (seen["results"], seen["voters"], seen["mine"]) == (None, 2, {items[2]: 1})
    by_facilitator = (await api.get(f"{live.path}/votes/{vote}", token=live.facilitator)).json()
    assert by_facilitator["results"] is None
    session = (await api.get(live.path, token=live.participant)).json()
    assert session["vote"]["results"] is None
    async with JsClient.start() as js:
        await js.open("p", server.ws_url, f"{live.workshop}.session", {"token": live.participant})
        entries = await wait_shown(js, "p", lambda e: e.get("vote") is not None, "the vote")
        assert entries["vote"] == {
            "id": vote,
            "items": items,
            "per_person": 3,
            "max_per_item": 2,
        }

    closed = (await api.post(f"{live.path}/votes/{vote}/close", token=live.facilitator)).json()
    assert [(t["item"], t["count"], t["rank"]) for t in closed["results"]] == [
        (items[0], 2, 1),
        (items[2], 2, 1),
        (items[1], 0, 3),
    ]
    assert closed["results"][0]["label"] == "Yöpartio"
    late = await dot(matti, items[0])
    assert (late.status_code, late.json()["error"]["code"]) == (409, "vote_closed")


async def test_ending_leaves_a_version_a_record_and_expires_the_sessions_links(
    api: ApiClient,
) -> None:
    live = await live_workshop(api, title="Iltapaja")
    aino = await live.join("Aino")
    await live.as_person("POST", "/notes", aino, {"text": "Kotihoito yöllä"})
    await api.post(live.path + "/reveal", token=live.facilitator, json={"anonymous": True})
    [idea] = await ideas(live)
    vote = (
        await api.post(
            live.path + "/votes",
            token=live.facilitator,
            json={"items": [f"ideas/{idea['id']}"], "per_person": 1, "max_per_item": 1},
        )
    ).json()["id"]
    await live.as_person("POST", f"/votes/{vote}/cast", aino, {"item": f"ideas/{idea['id']}"})
    await live.steer("/phase", {"index": 2})

    ended = await live.steer("/end")
    assert not ended["live"]
    assert ended["vote"] is None
    versions = (await api.get(f"/api/workshops/{live.workshop}/versions")).json()["items"]
    [version] = [v for v in versions if v["id"] == ended["version"]]
    assert version["label"].startswith("Innopaja: Iltapaja, ")
    assert version["automatic"]
    assert version["kind"] == "named", "a session names its version: the page shows the label"
    again = await api.post(live.path + "/end", token=live.facilitator)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "session_ended")
    expired = await api.post(
        live.path + "/participants", token=live.participant, json={"name": "x"}
    )
    assert expired.status_code == 403

    record = (await api.get(live.path + "/export.json")).json()
    assert record["participants"] == 1
    assert [p["title"] for p in record["phases"]] == ["Ideoi", "Kehitä", "Toteuta"]
    assert record["phases"][1]["periods"] == []
    assert record["notes"] == [
        {
            "id": idea["id"],
            "text": "Kotihoito yöllä",
            "author": None,
            "phase": 0,
            "revealed_at": record["notes"][0]["revealed_at"],
        }
    ]
    assert record["votes"][0]["results"][0]["count"] == 1
    assert record["version"]["label"] == version["label"]
    markdown = (await api.get(live.path + "/export.md")).text
    assert markdown.startswith("# Innopaja: Iltapaja\n")
    for words in (
        "## Vaiheet",
        "1. **Ideoi** (Tarpeet, Tavoitteet):",
        "ei käsitelty",
        "## Paljastetut muistilaput",
        "- Kotihoito yöllä",
        "## Pisteäänestykset",
        "| 1 | Kotihoito yöllä | 1 |",
        "**Osallistujia:** 1",
    ):
        assert words in markdown, words
    new = await api.post(
        f"/api/workshops/{live.workshop}/sessions", token=live.facilitator, json={"title": "Uusi"}
    )
    assert new.status_code == 201


async def test_participants_edit_the_content_and_are_stamped_as_such(
    server: ServerProcess, api: ApiClient
) -> None:
    live = await live_workshop(api)
    async with JsClient.start() as js:
        me = await js.open("participant", server.ws_url, live.workshop, {"token": live.participant})
        await js.open("reader", server.ws_url, live.workshop, {"token": live.facilitator})
        await js.wait_synced("participant")
        await js.wait_synced("reader")
        await js.insert("participant", "notes", 0, "osallistujan teksti")
        await js.wait_text("reader", "notes", equals="osallistujan teksti")
        await js.set_awareness("participant", {"name": "Aino", "role": "owner"})
        await js.wait_awareness(
            "reader", has_client=me, state={"name": "Aino", "role": "participant"}, timeout=3
        )


async def test_sessions_belong_to_their_workshop_and_notes_to_their_author(
    api: ApiClient,
) -> None:
    live, other = await live_workshop(api), await live_workshop(api)
    elsewhere = f"/api/workshops/{other.workshop}/sessions/{live.session}"
    assert (await api.get(elsewhere)).status_code == 404
    moved = await api.post(elsewhere + "/phase", token=other.facilitator, json={"index": 1})
    assert moved.status_code == 404
    aino = await live.join("Aino")
    version = (await live.as_person("GET", "/notes", aino)).json()["version"]
    await live.as_person("POST", "/notes", aino, {"text": "oma"})
    # Only facilitators wait for changes; anyone else is answered at once with their own.
    mine = await live.as_person("GET", f"/notes?after={version + 1}&wait=20", aino)
    assert [n["text"] for n in mine.json()["items"]] == ["oma"]
    foreign = await other.as_person("GET", "/notes", aino, token=other.participant)
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (403, "unknown_person")
