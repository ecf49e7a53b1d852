"""What is refused before the websocket upgrade, with a plain HTTP status."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.server import ServerProcess

UPGRADE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/collab/has%20space", 400),
        ("/collab/" + "x" * 129, 400),
        ("/collab/a/b", 400),
        ("/collab/", 400),
        ("/elsewhere/room", 404),
    ],
)
async def test_refused_before_upgrade(server: ServerProcess, path: str, status: int) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(server.http_url + path, headers=UPGRADE)
    assert response.status_code == status


@pytest.mark.asyncio
async def test_valid_name_upgrades_and_server_keeps_serving(server: ServerProcess) -> None:
    async with httpx.AsyncClient() as client:
        bad = await client.get(server.http_url + "/collab/%00", headers=UPGRADE)
        assert bad.status_code == 400
        assert (await client.get(server.http_url + "/healthz")).json() == {"status": "ok"}
        assert (await client.get(server.http_url + "/readyz")).json() == {"status": "ok"}


@pytest.mark.asyncio
async def test_an_upgrade_whose_head_comes_in_two_reads_opens_all_the_same(
    server: ServerProcess,
) -> None:
    """Only a whole request head goes straight to the endpoint (web.first_request); a head
    split over two reads goes through uvicorn's HTTP protocol, which hands it on."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        head = (
            "GET /collab/split-room HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in UPGRADE.items())
            + "\r\n"
        ).encode()
        writer.write(head[:20])
        await writer.drain()
        with pytest.raises(TimeoutError):  # nothing is answered to half a request
            await asyncio.wait_for(reader.readline(), 0.3)
        writer.write(head[20:])
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 5)
        assert status_line.startswith(b"HTTP/1.1 101")
        while (await asyncio.wait_for(reader.readline(), 5)) != b"\r\n":
            pass
        first = await asyncio.wait_for(reader.readexactly(2), 5)
        assert first[0] == 0x82  # the server's sync step 1, a binary frame
    finally:
        writer.transport.abort()
