"""PostgreSQL unreachable: updates are refused with 1013 (never acknowledged and then lost),
readers keep what they have, and everything recovers by itself when the database is back."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from pycrdt import Text
from sqlalchemy.engine import make_url

from tests.support.conditions import wait_for
from tests.support.databases import migrated_postgres, stored_in_postgres
from tests.support.jsclient import JsClient
from tests.support.server import running_server
from tests.support.tcp_proxy import running_proxy


async def _readiness(http_url: str) -> int:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{http_url}/readyz")).status_code


@pytest.mark.asyncio
async def test_updates_wait_out_a_database_outage(tmp_path: Path) -> None:
    url = make_url(await migrated_postgres())
    room = f"outage-{uuid.uuid4().hex[:12]}"
    async with running_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        through_proxy = url.set(host="127.0.0.1", port=proxy.port)
        database = through_proxy.render_as_string(hide_password=False)
        async with (
            running_server(tmp_path, database_url=database) as server,
            JsClient.start() as js,
        ):
            await js.open("writer", server.ws_url, room)
            await js.open("reader", server.ws_url, room)
            await js.wait_synced("writer")
            await js.wait_synced("reader")
            await js.insert("writer", "t", 0, "ennen katkoa.")
            await js.wait_text("reader", "t", equals="ennen katkoa.")

            await proxy.cut()
            await js.insert("writer", "t", 0, "katkon aikana. ")
            refused = await js.wait_event("connection-close", id="writer", timeout=10)
            assert refused["code"] == 1013
            assert await _readiness(server.http_url) == 503
            # The reader keeps its connection and sees nothing that was not stored.
            assert (await js.status("reader"))["wsconnected"]
            assert await js.text("reader", "t") == "ennen katkoa."

            await proxy.start()
            # The writer's client resends its edit once a node can store it again; the reader
            # is sent to the fresh room and gets it.
            final = "katkon aikana. ennen katkoa."
            await js.wait_text("reader", "t", equals=final, timeout=20)
            await wait_for(
                lambda: _ready(server.http_url), timeout=10, what="readiness after the outage"
            )
        assert str((await stored_in_postgres(room)).get("t", type=Text)) == final


async def _ready(http_url: str) -> bool:
    return await _readiness(http_url) == 200
