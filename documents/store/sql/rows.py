"""Reading big result sets straight from the database driver.

SQLAlchemy turns every fetched row into a `Row` and runs result processors on its values; for
a 10,000-entry log tail or a 10,000-fork family that costs about as much as the query itself
(tests/bench/lineage_bench.py). The statements here are still built with SQLAlchemy and
compiled once for the engine's dialect; only the fetching bypasses its result layer. Values
therefore arrive as the driver returns them: integers, text and bytes alike on both databases,
but timestamps as text from SQLite and as datetimes from asyncpg, so the queries read here
select them through `utc_text`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Dialect, String
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.sql.functions import FunctionElement


@dataclass(frozen=True, slots=True)
class DriverQuery:
    """A statement in the driver's own SQL, the order of its parameters and the values of
    those the statement fixes itself (a LIMIT, say)."""

    sql: str
    parameters: tuple[str, ...]
    fixed: dict[str, object]

    def arguments(self, values: Mapping[str, object]) -> list[object]:
        """The values in the statement's order, the fixed ones included."""
        given = {**self.fixed, **values}
        return [given[name] for name in self.parameters]


def driver_query(statement: ClauseElement, dialect: Dialect) -> DriverQuery:
    compiled = statement.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler) or compiled.positiontup is None:
        raise ValueError(f"{dialect.name} does not take positional parameters")
    fixed = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
    return DriverQuery(str(compiled), tuple(compiled.positiontup), fixed)


class Fetch(Protocol):
    """Every row of a query, as the driver returns them: tuples from sqlite3, records from
    asyncpg. Each database's module has one (the drivers' calls differ)."""

    async def __call__(
        self, conn: AsyncConnection, query: DriverQuery, /, **values: object
    ) -> Sequence[Sequence[Any]]: ...


class ReadRows(Protocol):
    """Every row of a short query, on a connection the database's module keeps for reads
    (SQLite: its reader thread; PostgreSQL: a pooled connection, read through asyncpg).

    For the reads made whenever a document is opened (admission's workshop and share link, the
    room's live session): through SQLAlchemy and aiosqlite each cost ~450 µs of CPU (a pool
    checkout and reset, several thread hand-offs per statement), through SQLite's reader
    thread ~35.
    """

    async def __call__(
        self, query: DriverQuery, /, **values: object
    ) -> Sequence[Sequence[Any]]: ...


def utc_datetime(text: str) -> datetime:
    """A timestamp read as `utc_text`, as SQLAlchemy reads it (made aware, see
    documents.records.aware)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class utc_text(FunctionElement[str]):
    """A timestamp column as UTC text in the form SQLAlchemy stores on SQLite
    (`YYYY-MM-DD HH:MM:SS.ffffff`), which `documents.records.iso_utc` turns into ISO 8601.

    Reading ten thousand timestamps as datetimes and formatting them with `isoformat` cost
    about as much as the query that fetched them, and formatting them in SQLite's SQL cost more
    than in Python; SQLite already holds this text, PostgreSQL makes it on its own core, and the
    last step is cheap string work in Python.
    """

    type = String()
    inherit_cache = True
    name = "utc_text"


@compiles(utc_text, "sqlite")
def _sqlite_utc_text(element: utc_text, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(utc_text, "postgresql")
def _postgresql_utc_text(element: utc_text, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"to_char({value} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
