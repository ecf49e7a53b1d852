"""Schema migrations on SQLite and on a PostgreSQL database of the test's own.

Each test that migrates starts from an empty database: a new SQLite file, or a new PostgreSQL
database (the shared `test` database must never be dropped or emptied).
"""

from __future__ import annotations

import ast
import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from documents.store import migrations, tables
from documents.store.factory import create_store
from documents.store.legacy import LEGACY_REVISION
from documents.store.migrate import new_revision, upgrade
from documents.store.schema import (
    VERSION_TABLE,
    SchemaError,
    SchemaState,
    alembic_config,
    check_state,
    head_revision,
    schema_state,
)
from tests.support.databases import create_legacy_tables, private_postgres, sqlite_url


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "empty.db")
        return
    async with private_postgres() as url:
        yield url


async def on(url: str, work: Any) -> Any:
    """Run `work(connection)` in one committed transaction on a separate engine."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_server_default": True})
    return list(compare_metadata(context, tables.metadata))


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def upgraded(url: str) -> list[str]:
    lines: list[str] = []
    await upgrade(url, lines.append)
    return lines


def all_revisions_in_order() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [s.revision for s in reversed(list(script.walk_revisions()))]


@pytest.mark.asyncio
async def test_upgrading_an_empty_database_gives_exactly_the_schema_of_tables_py(
    empty_database: str,
) -> None:
    report = await upgraded(empty_database)

    head = head_revision()
    assert report[0] == f"upgrading the schema from an empty database to {head}"
    applied = [line.split()[1].rstrip(":") for line in report if line.startswith("  applied")]
    assert applied == all_revisions_in_order()
    assert report[-1] == f"the schema is up to date (revision {head})"
    assert await on(empty_database, differences) == []
    assert (await schema_state(empty_database)).up_to_date


@pytest.mark.asyncio
async def test_upgrading_again_changes_nothing(empty_database: str) -> None:
    await upgraded(empty_database)

    again = await upgraded(empty_database)

    assert again == [f"the schema is up to date (revision {head_revision()})"]
    versions = await on(
        empty_database,
        lambda c: c.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all(),
    )
    assert versions == [head_revision()]
    assert await on(empty_database, differences) == []


@pytest.mark.asyncio
async def test_concurrent_upgrades_run_one_after_the_other(empty_database: str) -> None:
    reports = await asyncio.gather(*(upgraded(empty_database) for _ in range(3)))

    migrating = [r for r in reports if r[0].startswith("upgrading the schema from")]
    assert len(migrating) == 1
    up_to_date = [f"the schema is up to date (revision {head_revision()})"]
    assert sorted(r for r in reports if r not in migrating) == [up_to_date, up_to_date]
    assert await on(empty_database, differences) == []


@pytest.mark.asyncio
async def test_a_store_refuses_an_empty_database_and_creates_nothing(empty_database: str) -> None:
    store = create_store(empty_database)
    try:
        with pytest.raises(SchemaError, match="has no Verstas schema revision") as refused:
            await store.open()
    finally:
        await store.close()

    assert str(refused.value).endswith("; run: verstas db upgrade --database-url " + empty_database)
    assert await on(empty_database, table_names) == set()


@pytest.mark.asyncio
async def test_tables_made_before_migrations_are_recorded_and_kept(empty_database: str) -> None:
    await on(empty_database, create_legacy_tables)
    await on(
        empty_database,
        lambda c: c.execute(
            tables.server_secrets.insert().values(name="token-key", value="kept across")
        ),
    )
    assert not (await schema_state(empty_database)).up_to_date

    report = await upgraded(empty_database)

    assert report[0] == (
        f"found tables made before migrations, as revision {LEGACY_REVISION}: recorded it"
    )
    assert report[-1] == f"the schema is up to date (revision {head_revision()})"
    assert (await schema_state(empty_database)).up_to_date
    assert await on(empty_database, differences) == []
    kept = await on(
        empty_database, lambda c: [tuple(row) for row in c.execute(tables.server_secrets.select())]
    )
    assert kept == [("token-key", "kept across")]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        ("DROP TABLE lineage_events", "missing tables: lineage_events"),
        ("ALTER TABLE workshops ADD COLUMN extra TEXT", "tables with other columns: workshops"),
    ],
)
async def test_tables_unlike_those_before_migrations_are_refused_untouched(
    empty_database: str, tamper: str, problem: str
) -> None:
    await on(empty_database, create_legacy_tables)
    await on(empty_database, lambda c: c.execute(text(tamper)))
    before = await on(empty_database, table_names)

    with pytest.raises(SchemaError, match=problem):
        await upgraded(empty_database)

    assert await on(empty_database, table_names) == before
    assert (await schema_state(empty_database)).current is None


@pytest.mark.asyncio
async def test_tables_of_other_applications_are_left_alone(empty_database: str) -> None:
    await on(empty_database, lambda c: c.execute(text("CREATE TABLE someone_elses (id INTEGER)")))

    report = await upgraded(empty_database)

    assert report[0].startswith("upgrading the schema from an empty database")
    found = [(kind, table.name) for kind, table in await on(empty_database, differences)]
    assert found == [("remove_table", "someone_elses")]


@pytest.mark.asyncio
async def test_a_database_from_a_newer_verstas_is_refused(empty_database: str) -> None:
    await upgraded(empty_database)
    newer = text(f"UPDATE {VERSION_TABLE} SET version_num = 'f00d'")
    await on(empty_database, lambda c: c.execute(newer))

    with pytest.raises(SchemaError, match="at schema revision f00d, which this Verstas does not"):
        await upgraded(empty_database)
    store = create_store(empty_database)
    try:
        with pytest.raises(SchemaError, match="a newer Verstas has migrated it"):
            await store.open()
    finally:
        await store.close()
    assert (await schema_state(empty_database)).current == "f00d"


def test_a_database_behind_is_told_both_revisions_and_the_command() -> None:
    """A state, not a database: a database behind head needs a second revision to exist."""
    state = SchemaState(current=LEGACY_REVISION, head="0002")

    with pytest.raises(SchemaError) as refused:
        check_state(state, "sqlite+aiosqlite:///./verstas.db")

    assert str(refused.value) == (
        f"the database sqlite+aiosqlite:///./verstas.db is at schema revision {LEGACY_REVISION}, "
        "this Verstas needs 0002; run: verstas db upgrade --database-url "
        "sqlite+aiosqlite:///./verstas.db"
    )


def test_messages_never_show_the_password() -> None:
    url = "postgresql+asyncpg://verstas:s3cret@db.example:5432/verstas"

    with pytest.raises(SchemaError) as refused:
        check_state(SchemaState(current=None, head=head_revision()), url)

    assert "s3cret" not in str(refused.value)
    assert str(refused.value).endswith(
        "run: verstas db upgrade --database-url "
        "'postgresql+asyncpg://verstas:***@db.example:5432/verstas'"
    )


def test_a_new_revision_follows_head_and_is_empty_while_tables_py_matches(tmp_path: Path) -> None:
    """On a copy of the migrations: the package's own folder is never written by tests."""
    copy = tmp_path / "migrations"
    shutil.copytree(
        Path(migrations.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    config = alembic_config()
    config.set_main_option("script_location", str(copy))

    path = new_revision("Add nothing yet", config)

    head = head_revision()
    assert path == copy / "versions" / f"{int(head) + 1:04d}_add_nothing_yet.py"
    module = ast.parse(path.read_text())
    assigned = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in module.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert assigned == {"revision": f"{int(head) + 1:04d}", "down_revision": head}
    (upgrade_function,) = [n for n in module.body if isinstance(n, ast.FunctionDef)]
    assert [type(statement) for statement in upgrade_function.body] == [ast.Pass]


@pytest.mark.asyncio
async def test_upgrading_from_0001_gives_every_fork_its_root_and_every_family_version_0(
    empty_database: str,
) -> None:
    """Edges forked before roots were recorded: root -> a -> b, and another family other -> c.
    Graph versions (0003) start at 0 for every workshop, root or not."""

    def at_0001_with_forks(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        now = datetime.now(UTC)
        for workshop in ("root", "a", "b", "other", "c"):
            connection.execute(
                text(
                    "INSERT INTO workshops (id, title, organisation, description, place,"
                    " municipality, funder, programme, visibility, created_at, updated_at)"
                    " VALUES (:id, 't', 'o', '', '', '', '', '', 'public', :now, :now)"
                ),
                {"id": workshop, "now": now},
            )
        for child, parent in (("a", "root"), ("b", "a"), ("c", "other")):
            connection.execute(
                text(
                    "INSERT INTO forks (child_id, parent_id, parent_position, parent_state_vector,"
                    " organisation, reason, created_at)"
                    " VALUES (:child, :parent, 0, :vector, 'o', 'r', :now)"
                ),
                {"child": child, "parent": parent, "vector": b"\x00", "now": now},
            )

    await on(empty_database, at_0001_with_forks)
    await upgrade(empty_database, lambda _line: None)

    def roots(connection: Connection) -> dict[str, str]:
        rows = connection.execute(text("SELECT child_id, root_id FROM forks")).all()
        return {str(row[0]): str(row[1]) for row in rows}

    def family_versions(connection: Connection) -> dict[str, int]:
        rows = connection.execute(text("SELECT id, family_version FROM workshops")).all()
        return {str(row[0]): int(row[1]) for row in rows}

    assert await on(empty_database, roots) == {"a": "root", "b": "root", "c": "other"}
    assert await on(empty_database, family_versions) == dict.fromkeys(
        ("root", "a", "b", "other", "c"), 0
    )
    assert await on(empty_database, differences) == []
