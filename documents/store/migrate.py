"""`verstas db upgrade`, `verstas db revision` and the schema a server starts on: Alembic
driven from code, no alembic.ini.

Migrations run forward only. Each revision's `upgrade` is all there is: going back means
restoring a backup, never dropping tables that hold the update log.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext, MigrationInfo
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from documents.store import tables
from documents.store.factory import migration
from documents.store.legacy import LEGACY_REVISION, compare_with_legacy
from documents.store.schema import (
    VERSION_TABLE,
    SchemaError,
    alembic_config,
    check_state,
    read_state,
    schema_state,
    unknown_revision,
)

T = TypeVar("T")

Report = Callable[[str], None]


async def upgrade(url: str, report: Report) -> None:
    """Bring the database to the head revision under the migration lock, in one transaction.

    Idempotent: a database at head is left alone. Concurrent upgrades of one database run one
    after the other, and the later ones find it at head. On failure nothing is changed.
    """
    await _locked(url, upgrade_connection, report)


async def require_schema(url: str) -> bool:
    """Raise `SchemaError` (saying what to run) unless the database is at the head revision,
    creating the schema first on a new database: one with no revision and none of Verstas'
    tables. True when it did.

    What a server does before it starts. A database with tables but no revision, or at another
    revision, is left to `verstas db upgrade` (or to a newer Verstas): an operator migrates
    on purpose, never by starting a server.
    """
    state = await schema_state(url)
    created = False
    if state.current is None:
        created = await _locked(url, _create_if_new, lambda _line: None)
        state = await schema_state(url)
    check_state(state, url)
    return created


def _create_if_new(connection: Connection, report: Report) -> bool:
    """Under the lock, so that of several servers starting on one new database, one creates
    the schema and the others find it done."""
    if read_state(connection).current is not None:
        return False
    names = set(inspect(connection).get_table_names())
    if names & set(tables.metadata.tables):
        return False
    upgrade_connection(connection, report)
    return True


async def _locked(url: str, work: Callable[[Connection, Report], T], report: Report) -> T:
    """Run `work` in one transaction holding the database's migration lock (SQLite's write
    lock, a PostgreSQL advisory lock: see documents.store.factory); commit it if it returns."""
    lock = migration(url)
    engine = create_async_engine(url, connect_args=dict(lock.connect_args))
    try:
        async with engine.connect() as connection:
            await lock.begin(connection)
            result = await connection.run_sync(work, report)
            await connection.commit()
            return result
    finally:
        await engine.dispose()


def upgrade_connection(connection: Connection, report: Report) -> None:
    """Upgrade on a connection that holds the migration lock or has the database to itself;
    the caller commits.

    A database whose tables were made before migrations existed is first recorded as the
    initial revision, after checking that its tables are that revision's.
    """
    state = read_state(connection)
    if not state.known:
        raise SchemaError(f"the database {unknown_revision(state)}")
    current = state.current
    if current is None and _stamp_legacy(connection):
        current = LEGACY_REVISION
        report(f"found tables made before migrations, as revision {current}: recorded it")
    if current == state.head:
        report(f"the schema is up to date (revision {current})")
        return
    report(f"upgrading the schema from {current or 'an empty database'} to {state.head}")
    config = alembic_config()
    config.attributes["connection"] = connection
    config.attributes["on_version_apply"] = functools.partial(_report_step, report)
    command.upgrade(config, "head")
    report(f"the schema is up to date (revision {state.head})")


def _stamp_legacy(connection: Connection) -> bool:
    """Record the initial revision on tables made before migrations; False if there are none.

    A partial or altered set of those tables is refused rather than guessed at.
    """
    comparison = compare_with_legacy(connection)
    if not comparison.present:
        return False
    if not comparison.matches:
        raise SchemaError(
            "the database has Verstas tables but no schema revision, and they are not the ones "
            f"Verstas made before migrations ({comparison.describe()}); fix them by hand"
        )
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    context.stamp(ScriptDirectory.from_config(alembic_config()), LEGACY_REVISION)
    return True


def _report_step(report: Report, *, step: MigrationInfo, **_: Any) -> None:
    for revision in step.up_revision_ids:
        script = step.revision_map.get_revision(revision)
        report(f"  applied {revision}: {script.doc if isinstance(script, Script) else ''}")


def new_revision(message: str, config: Config) -> Path:
    """Write the next revision, autogenerated from what `tables.py` has that head lacks.

    The comparison runs against a scratch in-memory SQLite database migrated to head, so no
    real database is needed; the file still wants reading (SQLite-rendered server defaults,
    data migrations) before it is committed. ruff formats it.
    """
    head = ScriptDirectory.from_config(config).get_current_head()
    hooks = {
        "hooks": "ruff_format",
        "ruff_format.type": "module",
        "ruff_format.module": "ruff",
        "ruff_format.options": "format REVISION_SCRIPT_FILENAME",
    }
    for name, value in hooks.items():
        config.set_section_option("post_write_hooks", name, value)
    engine = create_engine("sqlite://")
    try:
        with engine.begin() as scratch:
            config.attributes["connection"] = scratch
            command.upgrade(config, "head")
            written = command.revision(
                config, message, autogenerate=True, rev_id=f"{int(head or 0) + 1:04d}"
            )
    finally:
        engine.dispose()
    if not isinstance(written, Script):
        raise RuntimeError("alembic wrote no single revision")
    return Path(written.path)
