"""Backends for the store contract suite: every test runs once per database.

PostgreSQL is shared between test runs and xdist workers, so tests never drop or truncate
anything: each test works on document names of its own (uuids).
"""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from documents.store import Store, create_store

POSTGRES_URL = os.environ.get(
    "VERSTAS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


@functools.cache
def _postgres_unreachable_reason() -> str | None:
    """Only an unreachable server may skip: a reachable but misconfigured one must fail loudly."""
    url = make_url(POSTGRES_URL)
    host, port = url.host or "localhost", url.port or 5432
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as error:
        return f"PostgreSQL at {host}:{port} is unreachable ({error})"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of the backend under test; PostgreSQL may be skipped locally, never on CI."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'verstas.db'}"
    reason = _postgres_unreachable_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true requires it (set VERSTAS_TEST_POSTGRES_URL)")
        pytest.skip(f"{reason}; set VERSTAS_TEST_POSTGRES_URL or start PostgreSQL")
    return POSTGRES_URL


@pytest_asyncio.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """An opened store, closed after the test even when it fails."""
    opened = create_store(database_url)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


@pytest_asyncio.fixture
async def raw_engine(database_url: str, store: Store) -> AsyncIterator[AsyncEngine]:
    """A separate engine on the same database, to inspect and tamper with rows behind the store.

    It depends on `store` so the schema exists before the test touches the tables.
    """
    engine = create_async_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()
