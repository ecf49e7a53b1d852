"""Backends for the store contract suite: every test runs once per database.

PostgreSQL is shared between test runs and xdist workers, so tests never drop or truncate
anything: each test works on document names of its own (uuids).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from documents.store.base import Store
from documents.store.factory import create_store
from tests.support.databases import migrated_postgres, migrated_sqlite


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of the backend under test, at the head schema revision; PostgreSQL may be
    skipped locally, never on CI."""
    if request.param == "sqlite":
        return migrated_sqlite(tmp_path / "verstas.db")
    return await migrated_postgres()


@contextlib.asynccontextmanager
async def opened_store(database_url: str) -> AsyncIterator[Store]:
    """An opened store, closed afterwards even when the test fails."""
    opened = create_store(database_url)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


@pytest_asyncio.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with opened_store(database_url) as opened:
        yield opened


@pytest_asyncio.fixture
async def other_node(database_url: str) -> AsyncIterator[Store]:
    """A second store on the same database, as another server process (or the CLI) has."""
    async with opened_store(database_url) as opened:
        yield opened


@pytest_asyncio.fixture
async def raw_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A separate engine on the same database, to inspect and tamper with rows behind the store."""
    engine = create_async_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()
