"""Reading big result sets straight from the database driver.

SQLAlchemy turns every fetched row into a `Row` and runs result processors on its values; for
a 10,000-entry log tail or a 10,000-fork family that costs about as much as the query itself
(tests/bench/lineage_bench.py). The statements here are still built with SQLAlchemy and
compiled once for the engine's dialect; only the fetching bypasses its result layer. Values
therefore arrive as the driver returns them: integers, text and bytes alike on both databases,
but timestamps as text on SQLite (see `timestamp`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

from documents.store.workshops import aware


@dataclass(frozen=True, slots=True)
class DriverQuery:
    """A statement in the driver's own SQL, the order of its parameters and the values of
    those the statement fixes itself (a LIMIT, say)."""

    sql: str
    parameters: tuple[str, ...]
    fixed: dict[str, object]


def driver_query(statement: ClauseElement, dialect: Dialect) -> DriverQuery:
    compiled = statement.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler) or compiled.positiontup is None:
        raise ValueError(f"{dialect.name} does not take positional parameters")
    fixed = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
    return DriverQuery(str(compiled), tuple(compiled.positiontup), fixed)


async def fetch(
    conn: AsyncConnection, query: DriverQuery, **values: object
) -> Sequence[Sequence[Any]]:
    """Every row of the query, as the driver's tuples (sqlite3) or records (asyncpg)."""
    driver: Any = (await conn.get_raw_connection()).driver_connection
    given = {**query.fixed, **values}
    arguments = [given[name] for name in query.parameters]
    if conn.dialect.name == "sqlite":
        rows: Sequence[Sequence[Any]] = await driver.execute_fetchall(query.sql, arguments)
        return rows
    records: Sequence[Sequence[Any]] = await driver.fetch(query.sql, *arguments)
    return records


def timestamp(value: datetime | str) -> datetime:
    """A timestamp column as fetched: asyncpg gives aware datetimes, SQLite the text SQLAlchemy
    stored (UTC, without a zone)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return aware(value)
