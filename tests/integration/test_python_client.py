"""pycrdt-websocket's client (pycrdt Provider over httpx-ws) works against the server unchanged."""

from __future__ import annotations

import pytest
from pycrdt import Text

from tests.support.conditions import wait_until
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
