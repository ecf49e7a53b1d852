"""Databases whose tables `create_all` made before migrations existed.

They hold exactly what the initial revision creates, but no revision row. `verstas db upgrade`
records them as that revision (then upgrades on) once it has checked that the tables are that
revision's: every one of its tables, with the same columns. The expected shape is learnt by
running the initial revision on a scratch in-memory SQLite database, so it cannot drift from
the migration itself.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from alembic import command
from sqlalchemy import Connection, create_engine, inspect

from documents.store.schema import VERSION_TABLE, alembic_config

LEGACY_REVISION: Final = "0001"


@functools.cache
def legacy_shape() -> Mapping[str, frozenset[str]]:
    """Table name -> column names, as the initial revision creates them."""
    engine = create_engine("sqlite://")
    try:
        with engine.begin() as scratch:
            config = alembic_config()
            config.attributes["connection"] = scratch
            command.upgrade(config, LEGACY_REVISION)
            names = [n for n in inspect(scratch).get_table_names() if n != VERSION_TABLE]
            return _shape(scratch, names)
    finally:
        engine.dispose()


@dataclass(frozen=True, slots=True)
class LegacyComparison:
    """How a database's tables compare with the initial revision's."""

    missing: tuple[str, ...]
    altered: tuple[str, ...]
    present: tuple[str, ...]

    @property
    def matches(self) -> bool:
        return not self.missing and not self.altered

    def describe(self) -> str:
        parts = []
        if self.missing:
            parts.append(f"missing tables: {', '.join(self.missing)}")
        if self.altered:
            parts.append(f"tables with other columns: {', '.join(self.altered)}")
        return "; ".join(parts)


def compare_with_legacy(connection: Connection) -> LegacyComparison:
    """Only the initial revision's tables are looked at: other applications' may share the
    database (or the PostgreSQL schema)."""
    expected = legacy_shape()
    names = set(inspect(connection).get_table_names())
    present = sorted(name for name in expected if name in names)
    actual = _shape(connection, present)
    return LegacyComparison(
        missing=tuple(sorted(name for name in expected if name not in names)),
        altered=tuple(name for name in present if actual[name] != expected[name]),
        present=tuple(present),
    )


def _shape(connection: Connection, names: list[str]) -> dict[str, frozenset[str]]:
    inspector = inspect(connection)
    return {
        name: frozenset(column["name"] for column in inspector.get_columns(name)) for name in names
    }
