"""pycrdt-websocket's client (pycrdt Provider over httpx-ws) works against the server unchanged."""

from __future__ import annotations

import httpx
import pytest
from pycrdt import Text

from tests.support.conditions import wait_for, wait_until
from tests.support.jsclient import JsClient
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess


@pytest.mark.asyncio
async def test_two_python_clients_converge(server: ServerProcess) -> None:
    async with (
        python_client(server.http_url, "py-room") as first,
        python_client(server.http_url, "py-room") as second,
    ):
        first.get("t", type=Text).insert(0, "hei ")
        second.get("t", type=Text).insert(0, "moi ")
        text_a, text_b = first.get("t", type=Text), second.get("t", type=Text)
        await wait_until(lambda: str(text_a) == str(text_b) and len(str(text_a)) == 8)
        assert sorted(str(text_a).split()) == ["hei", "moi"]


@pytest.mark.asyncio
async def test_updates_echoed_by_pycrdt_clients_are_not_logged_again(server: ServerProcess) -> None:
    """pycrdt's provider sends back every update it receives; repeats must not grow the log."""
    async with (
        JsClient.start() as js,
        python_client(server.http_url, "echo") as first,
        python_client(server.http_url, "echo") as second,
    ):
        await js.open("writer", server.ws_url, "echo")
        await js.wait_synced("writer")
        for n in range(10):
            await js.insert("writer", "t", 0, str(n))
        texts = [doc.get("t", type=Text) for doc in (first, second)]
        await wait_until(lambda: all(len(str(text)) == 10 for text in texts))
        async with httpx.AsyncClient() as http:

            async def echoes_seen() -> bool:
                metrics = (await http.get(f"{server.http_url}/metrics")).text
                return "verstas_duplicate_updates_total 20.0" in metrics

            await wait_for(echoes_seen, what="both clients' echoes to be dropped")
            metrics = (await http.get(f"{server.http_url}/metrics")).text
    assert "verstas_committed_updates_total 10.0" in metrics


@pytest.mark.asyncio
async def test_frames_too_big_for_one_piece_reach_the_clients_whole(server: ServerProcess) -> None:
    """A frame from 64 KiB on goes out as its header and the message's own bytes: the relay of a
    big update, and the whole state answering a client that joins later."""
    words = "".join(f"{n:06d} " for n in range(12_000))  # 84 KB in one update
    async with (
        python_client(server.http_url, "big-state") as writer,
        python_client(server.http_url, "big-state") as witness,
    ):
        writer.get("t", type=Text).insert(0, words)
        relayed = witness.get("t", type=Text)
        await wait_until(lambda: str(relayed) == words, what="the big update's relay")
        async with python_client(server.http_url, "big-state") as late:
            synced = late.get("t", type=Text)
            await wait_until(lambda: str(synced) == words, what="the whole state")
