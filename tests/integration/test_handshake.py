"""What is refused before the websocket upgrade, with a plain HTTP status."""

from __future__ import annotations

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
