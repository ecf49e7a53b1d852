"""Nothing a client has seen is lost: across a restart, a graceful shutdown and a SIGKILL."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Text

from documents.store.factory import create_store
from documents.store.log import PendingUpdate
from tests.support.databases import migrated_sqlite
from tests.support.jsclient import JsClient
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess, running_server
from tests.support.yjs import decode_state_vector, missing_from


@pytest.mark.asyncio
async def test_content_survives_a_restart(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path)
    await server.start()
    async with JsClient.start() as js:
        await js.open("writer", server.ws_url, "restart")
        await js.open("witness", server.ws_url, "restart")
        await js.wait_synced("writer")
        await js.insert("writer", "t", 0, "Toimintamalli: ")
        await js.insert("writer", "t", 15, "kotihoidon yöpartio")
        # No acknowledgements in y-websocket: a second client seeing it is the proof of commit.
        await js.wait_text("witness", "t", equals="Toimintamalli: kotihoidon yöpartio")
    await server.stop()
    assert "Application shutdown complete" in server.log_text()
    await server.start()
    try:
        async with python_client(server.http_url, "restart") as doc:
            assert str(doc.get("t", type=Text)) == "Toimintamalli: kotihoidon yöpartio"
    finally:
        await server.stop()


@pytest.mark.asyncio
async def test_graceful_shutdown_closes_peers_with_1012(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path)
    await server.start()
    async with JsClient.start() as js:
        await js.open("a", server.ws_url, "shutdown")
        await js.wait_synced("a")
        await server.stop()
        event = await js.wait_event("connection-close", id="a", timeout=5)
        assert event["code"] == 1012
    assert "Application shutdown complete" in server.log_text()


async def _keep_editing(js: JsClient, id: str, stop: asyncio.Event) -> None:
    n = 0
    while not stop.is_set():
        await js.insert(id, "t", 0, f"{id}{n};")
        n += 1


@pytest.mark.asyncio
@pytest.mark.parametrize("synchronous", ["FULL", "NORMAL"])
async def test_sigkill_loses_nothing_any_client_received(tmp_path: Path, synchronous: str) -> None:
    """FULL syncs the WAL after each commit; NORMAL only writes it: a killed process loses
    nothing either way (only a power cut tells them apart)."""
    server = ServerProcess(tmp_path, args=["--sqlite-synchronous", synchronous])
    await server.start()
    editors = ["e1", "e2", "e3"]
    async with JsClient.start() as js:
        ids = {name: await js.open(name, server.ws_url, "crash") for name in [*editors, "witness"]}
        for name in ids:
            await js.wait_synced(name)
        stop = asyncio.Event()
        loops = [asyncio.create_task(_keep_editing(js, name, stop)) for name in editors]
        # Each editor's 20th edit has reached the witness: the log is well under way.
        for name in editors:
            await js.wait_text("witness", "t", contains=f"{name}20;", timeout=10)
        await server.kill()
        stop.set()
        await asyncio.gather(*loops)
        # What each client holds now is all it can ever have received from the dead server.
        seen = {name: decode_state_vector(await js.state_vector(name)) for name in ids}
        for name in ids:
            await js.close(name)  # no reconnect may re-deliver anything before we look
    await server.start()
    try:
        async with python_client(server.http_url, "crash") as doc:
            stored = decode_state_vector(doc.get_state())
    finally:
        await server.stop()
    assert sum(seen["witness"].values()) > 0
    for name, vector in seen.items():
        assert missing_from(stored, vector, ignore=ids[name]) == {}, name


@pytest.mark.asyncio
async def test_twenty_clients_join_a_new_document_at_once(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server, JsClient.start() as js:
        names = [f"c{i}" for i in range(20)]
        await asyncio.gather(*(js.open(name, server.ws_url, "stampede") for name in names))
        await asyncio.gather(*(js.wait_synced(name) for name in names))
        await js.insert("c7", "t", 0, "kaikki mukana")
        await asyncio.gather(*(js.wait_text(n, "t", equals="kaikki mukana") for n in names))
    assert server.log_text().count('"document_loaded"') == 1


def _edit(doc: Doc[Any], index: int, *, cut: int = 0, insert: str = "") -> bytes:
    """Cut `cut` characters of the text at `index`, then insert `insert` there; the update."""
    before = doc.get_state()
    text = doc.get("t", type=Text)
    if cut:
        del text[index : index + cut]
    if insert:
        text.insert(index, insert)
    return doc.get_update(before)


@pytest.mark.asyncio
async def test_fresh_clients_of_a_checkpoint_and_a_crash_tail_get_the_whole_state(
    tmp_path: Path,
) -> None:
    """A crash leaves log entries after the last checkpoint; a fresh client is sent them first
    and the checkpoint as the sync answer, and must hold everything once it is synced."""
    url = migrated_sqlite(tmp_path / "verstas.db")
    store = create_store(url)
    await store.open()
    first: Doc[Any] = Doc()
    second: Doc[Any] = Doc()
    checkpoint = _edit(first, 0, insert="Kotihoito: ilta")
    (position,) = await store.append([PendingUpdate("crash-tail", checkpoint)])
    await store.save_checkpoint("crash-tail", checkpoint, position)
    second.apply_update(checkpoint)
    tail = [
        _edit(first, 15, insert=", kuntoutus"),
        _edit(second, 0, cut=11),  # "Kotihoito: ", which the checkpoint holds
        _edit(second, 0, insert="Yöpartio ja "),
    ]
    first.apply_update(tail[1])
    first.apply_update(tail[2])
    await store.append([PendingUpdate("crash-tail", update) for update in tail])
    await store.close()
    expected = str(first.get("t", type=Text))
    assert expected == "Yöpartio ja ilta, kuntoutus"

    # each client kind on its own copy: the first to open the document has the room build it
    python_dir = tmp_path / "python"
    python_dir.mkdir()
    shutil.copyfile(tmp_path / "verstas.db", python_dir / "verstas.db")
    async with running_server(tmp_path, database_url=url) as server, JsClient.start() as js:
        await js.open("fresh", server.ws_url, "crash-tail")
        await js.wait_synced("fresh")
        assert await js.text("fresh", "t") == expected
        assert decode_state_vector(await js.state_vector("fresh")) == decode_state_vector(
            first.get_state()
        )
    async with (
        running_server(python_dir) as server,
        python_client(server.http_url, "crash-tail") as doc,
    ):
        assert str(doc.get("t", type=Text)) == expected
        assert doc.get_state() == first.get_state()
