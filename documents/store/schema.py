"""Which schema revision a database is at, and refusing to run on any but this Verstas' head.

The store never creates or alters tables itself: `verstas db upgrade` does (`migrate.py`), and
a server starting on a new database (`migrate.require_schema`). A server that finds the schema
behind or from a newer Verstas, or a CLI command that finds it so or empty, stops at once with
a message naming the command to run, instead of failing later on a missing table or column.
"""

from __future__ import annotations

import functools
import shlex
from dataclasses import dataclass
from typing import Final

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import create_async_engine

VERSION_TABLE: Final = "alembic_version"


class SchemaError(Exception):
    """The database's schema is not the one this Verstas needs; the message says what to do."""


def alembic_config() -> Config:
    """The migration environment inside the installed package: no alembic.ini anywhere."""
    config = Config()
    config.set_main_option("script_location", "documents.store:migrations")
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return config


@functools.cache
def _revisions() -> tuple[str, frozenset[str]]:
    """The head and every known revision; the history is one line, never branched."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    if head is None:
        raise RuntimeError("the migrations package holds no revision")
    return head, frozenset(s.revision for s in script.walk_revisions())


def head_revision() -> str:
    return _revisions()[0]


def display_url(url: str) -> str:
    """The URL as an operator may see it in a log or message: any password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def upgrade_command(url: str) -> str:
    return f"verstas db upgrade --database-url {shlex.quote(display_url(url))}"


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database stands; `current` is None when no revision is recorded."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def known(self) -> bool:
        """False when a newer Verstas has migrated the database past what this one knows."""
        return self.current is None or self.current in _revisions()[1]


def read_state(connection: Connection) -> SchemaState:
    current = None
    if inspect(connection).has_table(VERSION_TABLE):
        versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
        current = ",".join(sorted(versions)) or None
    return SchemaState(current, head_revision())


def require_current(connection: Connection, url: str) -> None:
    """Raise `SchemaError` unless the database is exactly at the head revision."""
    check_state(read_state(connection), url)


def check_state(state: SchemaState, url: str) -> None:
    """Raise `SchemaError`, saying what to run, unless `state` is at the head revision."""
    if state.up_to_date:
        return
    where = f"the database {display_url(url)}"
    if not state.known:
        raise SchemaError(f"{where} {unknown_revision(state)}")
    if state.current is None:
        problem = "has no Verstas schema revision (it is empty, or predates migrations)"
    else:
        problem = f"is at schema revision {state.current}, this Verstas needs {state.head}"
    raise SchemaError(f"{where} {problem}; run: {upgrade_command(url)}")


def unknown_revision(state: SchemaState) -> str:
    return (
        f"is at schema revision {state.current}, which this Verstas does not know (its newest "
        f"is {state.head}): a newer Verstas has migrated it; run that version instead"
    )


async def schema_state(url: str) -> SchemaState:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(read_state)
    finally:
        await engine.dispose()
