"""`verstas db upgrade` and `verstas db current` as an operator types them, and a server that
creates the schema on a new database but refuses to start on one whose schema is another
revision than this Verstas' head."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.ext.asyncio import create_async_engine

from documents.store.legacy import LEGACY_REVISION
from documents.store.schema import VERSION_TABLE, alembic_config, head_revision, schema_state
from tests.support.databases import (
    create_legacy_tables,
    migrated_sqlite,
    private_postgres,
    sqlite_url,
)
from tests.support.server import ServerProcess, free_port

HEAD = head_revision()


def verstas(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def on_file(path: Path, work: Callable[[Connection], object]) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            work(connection)
    finally:
        engine.dispose()


def from_a_newer_verstas(connection: Connection) -> None:
    connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = 'f00d'"))


def applied_lines() -> list[str]:
    scripts = reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))
    return [f"  applied {script.revision}: {script.doc}" for script in scripts]


def test_upgrade_an_empty_database_then_find_it_current(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "verstas.db")

    before = verstas("db", "current", "--database-url", url)
    upgraded = verstas("db", "upgrade", "--database-url", url)
    after = verstas("db", "current", "--database-url", url)
    again = verstas("db", "upgrade", "--database-url", url)

    assert (before.returncode, before.stdout) == (1, f"current: none\nhead: {HEAD}\n")
    assert before.stderr.endswith(f"; run: verstas db upgrade --database-url {url}\n")
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.splitlines() == [
        f"database: {url}",
        f"upgrading the schema from an empty database to {HEAD}",
        *applied_lines(),
        f"the schema is up to date (revision {HEAD})",
    ]
    assert (after.returncode, after.stdout, after.stderr) == (
        0,
        f"current: {HEAD}\nhead: {HEAD}\n",
        "",
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        f"database: {url}",
        f"the schema is up to date (revision {HEAD})",
    ]


def test_the_database_url_comes_from_the_environment_too(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "from-env.db")

    upgraded = verstas("db", "upgrade", env={"VERSTAS_DATABASE_URL": url})

    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.startswith(f"database: {url}\n")
    assert verstas("db", "current", "--database-url", url).returncode == 0


def test_a_database_from_a_newer_verstas_cannot_be_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    url = migrated_sqlite(path)
    on_file(path, from_a_newer_verstas)

    current = verstas("db", "current", "--database-url", url)
    upgraded = verstas("db", "upgrade", "--database-url", url)

    assert (current.returncode, current.stdout) == (2, f"current: f00d\nhead: {HEAD}\n")
    assert "a newer Verstas has migrated it; run that version instead" in current.stderr
    assert upgraded.returncode == 1
    assert "the upgrade failed and changed nothing" in upgraded.stderr
    assert "Traceback" not in upgraded.stderr


def test_an_unreachable_database_is_reported_without_its_password() -> None:
    port = free_port()

    current = verstas(
        "db", "current", "--database-url", f"postgresql+asyncpg://verstas:s3cret@127.0.0.1:{port}/v"
    )

    assert current.returncode == 2
    assert current.stderr.startswith(
        f"error: cannot read the database postgresql+asyncpg://verstas:***@127.0.0.1:{port}/v: "
    )
    assert "s3cret" not in current.stderr
    assert "Traceback" not in current.stderr


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a database nobody has used yet: a SQLite file not yet created, or a
    PostgreSQL database of this test's own."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "new.db")
        return
    async with private_postgres() as url:
        yield url


async def on_database(url: str, work: Callable[[Connection], object]) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(work)
    finally:
        await engine.dispose()


def at_revision(revision: str) -> Callable[[Connection], None]:
    def migrate(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    return migrate


def previous(revision: str) -> str:
    script = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    assert script is not None
    assert isinstance(script.down_revision, str)  # the history is one line, never branched
    return script.down_revision


OLDER = previous(HEAD)


def older_revision(connection: Connection) -> None:
    at_revision(OLDER)(connection)


def newer_revision(connection: Connection) -> None:
    at_revision(HEAD)(connection)
    from_a_newer_verstas(connection)


@pytest.mark.asyncio
async def test_the_server_creates_the_schema_on_a_new_database(
    tmp_path: Path, new_database: str
) -> None:
    server = ServerProcess(tmp_path, database_url=new_database)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.http_url) as http:
            assert (await http.get("/readyz")).status_code == 200
            workshop = await http.post(
                "/api/workshops", json={"title": "Uusi", "organisation": "Kuopio"}
            )
            assert workshop.status_code == 201, workshop.text
    finally:
        await server.stop()
    (tmp_path / "again").mkdir()
    again = ServerProcess(tmp_path / "again", database_url=new_database)
    await again.start()
    await again.stop()

    (created,) = [r for r in server.log_records() if r["event"] == "schema_created"]
    assert (created["level"], created["database"], created["revision"]) == (
        "info",
        new_database,
        HEAD,
    )
    assert [r for r in again.log_records() if r["event"] == "schema_created"] == []
    assert (await schema_state(new_database)).current == HEAD


NO_REVISION = (
    "the database {url} has no Verstas schema revision (it is empty, or predates migrations); "
    "run: verstas db upgrade --database-url {url}"
)
OLDER_REVISION = (
    f"the database {{url}} is at schema revision {OLDER}, this Verstas needs {HEAD}; "
    "run: verstas db upgrade --database-url {url}"
)
NEWER = (
    "the database {url} is at schema revision f00d, which this Verstas does not know (its newest "
    f"is {HEAD}): a newer Verstas has migrated it; run that version instead"
)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("prepare", "error", "left_at"),
    [
        (create_legacy_tables, NO_REVISION, None),
        (older_revision, OLDER_REVISION, OLDER),
        (newer_revision, NEWER, "f00d"),
    ],
)
async def test_the_server_refuses_to_start_and_says_what_to_run(
    tmp_path: Path,
    new_database: str,
    prepare: Callable[[Connection], None],
    error: str,
    left_at: str | None,
) -> None:
    await on_database(new_database, prepare)
    server = ServerProcess(tmp_path, database_url=new_database)

    with pytest.raises(RuntimeError, match="server exited at start"):
        await server.start()

    assert server.returncode == 1
    (record,) = server.log_records()
    assert (record["level"], record["event"]) == ("error", "startup_refused")
    assert (record["database"], record["error"]) == (new_database, error.format(url=new_database))
    assert (await schema_state(new_database)).current == left_at


def legacy_tables(path: Path) -> None:
    on_file(path, create_legacy_tables)


@pytest.mark.asyncio
async def test_the_server_starts_once_the_database_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "verstas.db"
    legacy_tables(path)
    server = ServerProcess(tmp_path, database_url=sqlite_url(path))
    with pytest.raises(RuntimeError, match="server exited at start"):
        await server.start()

    upgraded = await asyncio.to_thread(
        verstas, "db", "upgrade", "--database-url", server.database_url
    )
    assert upgraded.returncode == 0, upgraded.stderr
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.http_url) as http:
            assert (await http.get("/readyz")).status_code == 200
    finally:
        await server.stop()

    assert f"found tables made before migrations, as revision {LEGACY_REVISION}" in upgraded.stdout
