"""Which connections skip uvicorn's HTTP protocol: whole collaboration upgrades only."""

from __future__ import annotations

import pytest

from web.first_request import is_collab_upgrade

UPGRADE = (
    b"GET /collab/workshop-1?token=abc HTTP/1.1\r\n"
    b"Host: 127.0.0.1:8000\r\n"
    b"Connection: Upgrade\r\n"
    b"Upgrade: websocket\r\n"
    b"Sec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"\r\n"
)


def test_a_whole_collaboration_upgrade_goes_straight_to_the_endpoint() -> None:
    assert is_collab_upgrade(UPGRADE)
    assert is_collab_upgrade(UPGRADE.replace(b"Upgrade: websocket", b"upgrade:WebSocket"))


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(UPGRADE[:-2], id="a head not yet whole"),
        pytest.param(UPGRADE + b"\x82\x80", id="bytes after the head"),
        pytest.param(UPGRADE.replace(b"/collab/", b"/api/"), id="another path"),
        pytest.param(UPGRADE.replace(b"GET ", b"POST "), id="another method"),
        pytest.param(UPGRADE.replace(b"Upgrade: websocket\r\n", b""), id="no upgrade"),
        pytest.param(
            UPGRADE.replace(b"Upgrade: websocket", b"X-Upgrade: websocket"), id="another header"
        ),
        pytest.param(
            UPGRADE.replace(b"Upgrade: websocket", b"Upgrade: websocket, h2c"), id="two upgrades"
        ),
    ],
)
def test_everything_else_goes_to_uvicorn(request_bytes: bytes) -> None:
    assert not is_collab_upgrade(request_bytes)
