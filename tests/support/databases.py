"""Databases for tests: migrated cheaply, or fresh and private to one test.

Migrating costs Alembic's start-up per database, and nearly every test needs a database at the
head revision, so each test process migrates one SQLite template once and tests get copies of
it. The shared PostgreSQL database `test` is upgraded in place (idempotent, under the migration
lock); tests that need an empty or odd PostgreSQL database get one of their own, dropped after.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from pycrdt import Doc
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from documents.store.factory import create_store
from documents.store.legacy import LEGACY_REVISION
from documents.store.log import replay
from documents.store.migrate import upgrade, upgrade_connection
from documents.store.schema import VERSION_TABLE, alembic_config

POSTGRES_URL = os.environ.get(
    "VERSTAS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def migrated_sqlite(path: Path) -> str:
    """A SQLite database at the head revision at `path` unless one is there; its URL.

    An existing file is left alone, so a server restarted on its database keeps its data.
    """
    if not path.exists():
        shutil.copyfile(_sqlite_template()[1], path)
    return sqlite_url(path)


@functools.cache
def _sqlite_template() -> tuple[tempfile.TemporaryDirectory[str], Path]:
    """Migrated through the synchronous driver, so the file is whole without a WAL beside it;
    the folder (kept alive here) is removed when the process exits."""
    folder = tempfile.TemporaryDirectory(prefix="verstas-schema-")
    path = Path(folder.name) / "head.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            upgrade_connection(connection, lambda _line: None)
    finally:
        engine.dispose()
    return folder, path


def create_legacy_tables(connection: Connection) -> None:
    """The tables as `create_all` made them before migrations existed: the initial revision's,
    with no revision recorded (`tables.py` moves on with later revisions; this does not)."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, LEGACY_REVISION)
    connection.execute(text(f"DROP TABLE {VERSION_TABLE}"))


_upgraded_postgres: set[str] = set()


async def migrated_postgres() -> str:
    """The shared PostgreSQL database, upgraded to head once per test process; its URL."""
    skip_unless_postgres()
    if POSTGRES_URL not in _upgraded_postgres:
        await upgrade(POSTGRES_URL, lambda _line: None)
        _upgraded_postgres.add(POSTGRES_URL)
    return POSTGRES_URL


async def stored_in_postgres(document: str) -> Doc[Any]:
    """The document as the shared PostgreSQL database holds it, read past every server."""
    store = create_store(await migrated_postgres())
    await store.open()
    try:
        return replay(await store.load(document))
    finally:
        await store.close()


@asynccontextmanager
async def private_postgres() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database of this test's own (the URL), dropped afterwards."""
    skip_unless_postgres()
    name = f"verstas_test_{uuid.uuid4().hex}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            # template0: nobody is ever connected to it, which CREATE DATABASE requires.
            await connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
        try:
            yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as connection:
                await connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.dispose()


def skip_unless_postgres() -> None:
    """Skip when PostgreSQL is unreachable, except under CI=true, where that is a failure.

    Only an unreachable server may skip: a reachable but misconfigured one must fail loudly.
    """
    reason = _postgres_unreachable_reason()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires it (set VERSTAS_TEST_POSTGRES_URL)")
    pytest.skip(f"{reason}; set VERSTAS_TEST_POSTGRES_URL or start PostgreSQL")


@functools.cache
def _postgres_unreachable_reason() -> str | None:
    url = make_url(POSTGRES_URL)
    host, port = url.host or "localhost", url.port or 5432
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as error:
        return f"PostgreSQL at {host}:{port} is unreachable ({error})"
