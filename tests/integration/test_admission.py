"""Refusals before the upgrade: origins not on the allow-list and connection caps."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from collab.protocol import SyncStep1, encode
from tests.support.raw import RawSocket, raw_connect
from tests.support.server import ServerProcess, running_server


@contextlib.asynccontextmanager
async def capped_server(tmp_path: Path, *limits: str) -> AsyncIterator[ServerProcess]:
    args = ["--allowed-origins", "https://verstas.example, http://localhost:8000"]
    for limit in limits:
        args += ["--limit", limit]
    async with running_server(tmp_path, args=args) as server:
        yield server


@pytest.mark.asyncio
async def test_origin_allow_list(tmp_path: Path) -> None:
    async with capped_server(tmp_path) as server:
        async with raw_connect(server.port, "/collab/o", {"Origin": "https://evil.example"}) as (
            status,
            _,
        ):
            assert status == 403
        async with raw_connect(server.port, "/collab/o", {"Origin": "https://verstas.example"}) as (
            status,
            _,
        ):
            assert status == 101
        async with raw_connect(server.port, "/collab/o") as (status, _):
            assert status == 101, "non-browser clients send no Origin"
    assert any(record.get("status") == 403 for record in server.log_records())


async def _synced(sock: RawSocket) -> None:
    await sock.send_binary(encode(SyncStep1(b"\x00")))


@pytest.mark.asyncio
async def test_connections_per_address_are_capped(tmp_path: Path) -> None:
    async with (
        capped_server(tmp_path, "max_connections_per_ip=2") as server,
        raw_connect(server.port, "/collab/a") as (first, _),
        raw_connect(server.port, "/collab/b") as (second, _),
    ):
        assert (first, second) == (101, 101)
        async with raw_connect(server.port, "/collab/c") as (third, _):
            assert third == 429


@pytest.mark.asyncio
async def test_total_connections_are_capped_and_freed_on_close(tmp_path: Path) -> None:
    async with capped_server(tmp_path, "max_connections=1") as server:
        async with raw_connect(server.port, "/collab/a") as (first, sock):
            await _synced(sock)
            assert first == 101
            async with raw_connect(server.port, "/collab/b") as (second, _):
                assert second == 503
        for _ in range(50):
            async with raw_connect(server.port, "/collab/a") as (status, _):
                if status == 101:
                    break
        assert status == 101, "a closed connection frees its place"
