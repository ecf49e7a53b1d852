"""What the server guarantees in a live Innopaja session, however clients behave: a hidden note
reaches no other participant's socket before its reveal, nobody writes the session document,
concurrent dots never pass a limit nor lose a count, facilitators see notes live, and a session
survives a crash of the server."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Doc, Map

from collab.protocol import SyncStep1, SyncUpdate, encode
from tests.integration.test_observability import metric
from tests.support.api import ApiClient
from tests.support.conditions import wait_until
from tests.support.databases import migrated_postgres
from tests.support.jsclient import JsClient
from tests.support.raw import RawSocket, raw_connect
from tests.support.server import ServerProcess, running_server
from tests.support.sessions import LiveWorkshop, live_workshop

pytestmark = pytest.mark.asyncio

EMPTY_STATE_VECTOR = b"\x00"


@contextlib.asynccontextmanager
async def recording(port: int, path: str) -> AsyncIterator[list[bytes]]:
    """Every binary frame the server sends one socket, as it arrives (the socket asks for the
    whole document first, as every Yjs client does)."""
    frames: list[bytes] = []
    async with raw_connect(port, path) as (status, sock):
        assert status == 101, path
        await sock.send_binary(encode(SyncStep1(EMPTY_STATE_VECTOR)))

        async def read(sock: RawSocket) -> None:
            while True:
                opcode, payload = await sock.read_frame()
                if opcode == 0x2:
                    frames.append(payload)

        reader = asyncio.create_task(read(sock))
        try:
            yield frames
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, asyncio.IncompleteReadError):
                await reader


def seen(frames: list[bytes], marker: bytes) -> bool:
    return any(marker in frame for frame in frames)


async def test_a_hidden_note_reaches_no_other_socket_before_its_reveal(
    server_closed: ServerProcess,
) -> None:
    server = server_closed
    async with ApiClient(server.http_url) as api:
        live = await live_workshop(api)
        author, other = await live.join("Aino"), await live.join("Matti")
        await live.as_person("POST", "/notes", other, {"text": "Matin oma lappu"})
        marker = f"SALAINEN-{uuid.uuid4().hex}"
        # Matti's sockets, on all three documents, with the link the whole room shares.
        documents = ["", ".comments", ".session"]
        async with contextlib.AsyncExitStack() as stack:
            sockets = {
                suffix: await stack.enter_async_context(
                    recording(
                        server.port, f"/collab/{live.workshop}{suffix}?token={live.participant}"
                    )
                )
                for suffix in documents
            }
            note = (await live.as_person("POST", "/notes", author, {"text": marker})).json()
            await live.as_person("PATCH", f"/notes/{note['id']}", author, {"text": marker + "!"})
            feed = (await api.get(live.path + "/notes", token=live.facilitator)).json()
            assert marker + "!" in {n["text"] for n in feed["items"]}
            # Everything else keeps flowing to the same sockets meanwhile.
            await live.steer("/phase", {"index": 1})
            await live.steer("/focus", {"target": "matrix/client.actors"})
            await live.steer("/timer", {"action": "start", "seconds": 300})
            async with JsClient.start() as js:
                await js.open("editor", server.ws_url, live.workshop, {"token": live.facilitator})
                await js.wait_synced("editor")
                await js.insert("editor", "notes", 0, "julkinen-teksti")
            await wait_until(lambda: seen(sockets[".session"], b"matrix/client.actors"))
            await wait_until(lambda: seen(sockets[""], b"julkinen-teksti"))
            for suffix, frames in sockets.items():
                assert not seen(frames, marker.encode()), f"the hidden note reached {suffix!r}"

            await api.post(live.path + "/reveal", token=live.facilitator, json={})
            await wait_until(lambda: seen(sockets[""], (marker + "!").encode()), what="reveal")
            await wait_until(lambda: seen(sockets[".session"], (marker + "!").encode()))
            assert not seen(sockets[".comments"], marker.encode())


async def test_nobody_writes_the_session_document(server_closed: ServerProcess) -> None:
    """Not even its facilitator or owner: a client's update is refused like any forbidden
    write (not applied, not stored, not relayed, counted), the third one closes the socket."""
    server = server_closed
    async with ApiClient(server.http_url) as api:
        live = await live_workshop(api)
        document = f"/collab/{live.workshop}.session"
        hostile: Doc[Any] = Doc()
        hostile.get("session", type=Map)["live"] = False
        attack = encode(SyncUpdate(hostile.get_update()))
        for token in (live.participant, live.facilitator, live.owner):
            async with raw_connect(server.port, f"{document}?token={token}") as (status, sock):
                assert status == 101
                for _ in range(3):
                    await sock.send_binary(attack)
                assert await sock.close_code(5) == 4403
        async with httpx.AsyncClient(base_url=server.http_url) as http:
            text = (await http.get("/metrics")).text
        assert metric(text, 'verstas_refused_total{reason="read_only"}') >= 6
        assert metric(text, 'verstas_refused_total{reason="forbidden"}') >= 3
        async with JsClient.start() as js:
            await js.open(
                "reader", server.ws_url, f"{live.workshop}.session", {"token": live.owner}
            )
            await js.wait_synced("reader")
            entries = await js.map_get("reader", "session")
            assert entries["live"] is True
            assert entries["id"] == live.session


async def test_the_facilitators_feed_shows_a_note_within_a_second(
    server_closed: ServerProcess,
) -> None:
    server = server_closed
    async with ApiClient(server.http_url) as api:
        live = await live_workshop(api)
        aino = await live.join("Aino")
        version = (await api.get(live.path + "/notes", token=live.facilitator)).json()["version"]
        poll = asyncio.create_task(
            api.get(f"{live.path}/notes?after={version}&wait=20", token=live.facilitator)
        )
        await api.get(live.path, token=live.facilitator)  # a round trip: the poll is waiting
        assert not poll.done()
        written = time.monotonic()
        await live.as_person("POST", "/notes", aino, {"text": "Heti näkyviin"})
        answer = await asyncio.wait_for(poll, 5)
        assert time.monotonic() - written < 1.0
        assert [n["text"] for n in answer.json()["items"]] == ["Heti näkyviin"]
        assert answer.json()["version"] > version


async def test_a_waiting_feed_does_not_hold_up_the_shutdown(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, open_documents=False)
    await server.start()
    try:
        async with ApiClient(server.http_url) as api:
            live = await live_workshop(api)
            notes = (await api.get(live.path + "/notes", token=live.facilitator)).json()
            poll = asyncio.create_task(
                api.get(f"{live.path}/notes?after={notes['version']}", token=live.facilitator)
            )
            await api.get(live.path, token=live.facilitator)
            started = time.monotonic()
            await server.stop(timeout=10)
            assert time.monotonic() - started < 5
            assert (await poll).status_code == 200
    finally:
        await server.kill()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_dots_cast_at_once_by_a_full_room_keep_every_limit_and_count(
    database: str, tmp_path: Path
) -> None:
    url = await migrated_postgres() if database == "postgresql" else None
    # A burst of 180 requests at one instant: on a busy shared machine the last ones wait
    # longer than httpx's default 5 seconds for their turn.
    async with (
        running_server(tmp_path, database_url=url, open_documents=False) as server,
        ApiClient(server.http_url, timeout=30.0) as api,
    ):
        live = await live_workshop(api)
        people = await asyncio.gather(*(live.join(f"Osallistuja {n}") for n in range(30)))
        author = people[0]
        for text in ("A", "B", "C", "D"):
            await live.as_person("POST", "/notes", author, {"text": text})
        await api.post(live.path + "/reveal", token=live.facilitator, json={})
        export = (await api.get(f"/api/workshops/{live.workshop}/export.json")).json()
        items = [f"ideas/{idea['id']}" for idea in export["content"]["ideas"]]
        rules = {"items": items, "per_person": 3, "max_per_item": 2}
        vote = (await api.post(live.path + "/votes", token=live.facilitator, json=rules)).json()
        rng = random.Random(30)
        accepted: Counter[tuple[str, str]] = Counter()
        refused: Counter[str] = Counter()

        async def dot(person: str, item: str, take_back: bool) -> None:
            action = "uncast" if take_back else "cast"
            answer = await live.as_person(
                "POST", f"/votes/{vote['id']}/{action}", person, {"item": item}
            )
            if answer.status_code == 200:
                accepted[person, item] += -1 if take_back else 1
            else:
                assert answer.status_code == 409, answer.text
                refused[answer.json()["error"]["code"]] += 1

        await asyncio.gather(
            *(
                dot(person, rng.choice(items), rng.random() < 0.15)
                for person in people
                for _ in range(6)
            )
        )
        assert refused["vote_budget_spent"] > 0

        for person in people:
            mine = (await live.as_person("GET", f"/votes/{vote['id']}", person)).json()["mine"]
            assert mine == {item: n for (p, item), n in accepted.items() if p == person and n}
            assert sum(mine.values()) <= 3
            assert max(mine.values(), default=0) <= 2
        closed = (
            await api.post(f"{live.path}/votes/{vote['id']}/close", token=live.facilitator)
        ).json()
        tallies = {t["item"]: t["count"] for t in closed["results"]}
        for item in items:
            assert tallies[item] == sum(n for (_, i), n in accepted.items() if i == item)


async def test_notes_votes_and_the_session_survive_a_crash(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, open_documents=False)
    await server.start()
    try:
        async with ApiClient(server.http_url) as api:
            live = await live_workshop(api)
            aino, matti = await live.join("Aino"), await live.join("Matti")
            await live.as_person("POST", "/notes", aino, {"text": "Piilossa"})
            await live.as_person("POST", "/notes", matti, {"text": "Näkyviin"})
            await api.post(live.path + "/reveal", token=live.facilitator, json={})
            kept = (await live.as_person("POST", "/notes", aino, {"text": "Yhä piilossa"})).json()
            export = (await api.get(f"/api/workshops/{live.workshop}/export.json")).json()
            item = f"ideas/{export['content']['ideas'][0]['id']}"
            rules = {"items": [item], "per_person": 2, "max_per_item": 2}
            vote = (await api.post(live.path + "/votes", token=live.facilitator, json=rules)).json()
            await live.as_person("POST", f"/votes/{vote['id']}/cast", aino, {"item": item})
            await live.steer("/phase", {"index": 1})
            await live.steer("/timer", {"action": "start", "seconds": 900})
            await live.steer("/locks", {"targets": ["matrix"], "locked": True})

        await server.kill()
        await server.start()

        async with ApiClient(server.http_url) as api:
            live = LiveWorkshop(
                api, live.workshop, live.owner, live.facilitator, live.participant, live.session
            )
            session = (await api.get(live.path)).json()
            assert (session["live"], session["phase"], session["locks"]) == (True, 1, ["matrix"])
            assert session["timer"]["running"]
            assert session["vote"]["id"] == vote["id"]
            mine = (await live.as_person("GET", "/notes", aino)).json()["items"]
            assert [(n["text"], n["revealed_at"] is None) for n in mine] == [
                ("Piilossa", False),
                ("Yhä piilossa", True),
            ]
            await live.as_person("POST", f"/votes/{vote['id']}/cast", aino, {"item": item})
            over = await live.as_person("POST", f"/votes/{vote['id']}/cast", aino, {"item": item})
            assert over.json()["error"]["code"] == "vote_budget_spent"
            closed = (
                await api.post(f"{live.path}/votes/{vote['id']}/close", token=live.facilitator)
            ).json()
            assert closed["results"][0]["count"] == 2
            revealed = await api.post(live.path + "/reveal", token=live.facilitator, json={})
            assert [n["id"] for n in revealed.json()["revealed"]] == [kept["id"]]
    finally:
        await server.stop()
