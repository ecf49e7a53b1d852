"""Alembic's environment, always entered from `documents.store.schema` with a connection.

The caller has already opened the connection, taken the migration lock and begun the
transaction, so Alembic joins that transaction and commits nothing itself: the lock, every
step and the version row are committed together, or not at all.
"""

from __future__ import annotations

from alembic import context

from documents.store import tables
from documents.store.schema import VERSION_TABLE


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if context.is_offline_mode() or connection is None:
        raise RuntimeError("Verstas migrations run through `verstas db upgrade`, online only")
    context.configure(
        connection=connection,
        target_metadata=tables.metadata,
        version_table=VERSION_TABLE,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead, and
        # autogenerate writes batch operations, which PostgreSQL runs as plain ALTERs.
        render_as_batch=connection.dialect.name == "sqlite",
        on_version_apply=context.config.attributes.get("on_version_apply"),
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
