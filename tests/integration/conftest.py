"""Integration fixtures: a real server process per test, on its own free port and database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from tests.support.server import ServerProcess, running_server


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[ServerProcess]:
    async with running_server(tmp_path) as process:
        yield process


@pytest_asyncio.fixture
async def server_closed(tmp_path: Path) -> AsyncIterator[ServerProcess]:
    """A server that serves workshops only (no open documents)."""
    async with running_server(tmp_path, open_documents=False) as process:
        yield process
