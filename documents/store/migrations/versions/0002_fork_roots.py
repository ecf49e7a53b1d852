"""Every fork edge names its family's root, so a whole family is read without recursion.

Revision ID: 0002
Revises: 0001
Created: 2026-11-28

The lineage view of a family of 10,000 forks spent most of its time walking the fork graph
down from the root (tests/bench/lineage_bench.py). Existing edges get their root computed from
the graph here, once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

_forks = sa.table(
    "forks",
    sa.column("child_id", sa.String(32)),
    sa.column("parent_id", sa.String(32)),
    sa.column("root_id", sa.String(32)),
)


def upgrade() -> None:
    with op.batch_alter_table("forks") as batch:
        batch.add_column(sa.Column("root_id", sa.String(32), nullable=True))
    connection = op.get_bind()
    parents = dict(connection.execute(sa.select(_forks.c.child_id, _forks.c.parent_id)).all())
    roots = []
    for child in parents:
        root = parents[child]
        while root in parents:
            root = parents[root]
        roots.append({"child": child, "root": root})
    if roots:
        connection.execute(
            _forks.update()
            .where(_forks.c.child_id == sa.bindparam("child"))
            .values(root_id=sa.bindparam("root")),
            roots,
        )
    with op.batch_alter_table("forks") as batch:
        batch.alter_column("root_id", existing_type=sa.String(32), nullable=False)
        batch.create_foreign_key("fk_forks_root_id_workshops", "workshops", ["root_id"], ["id"])
        batch.create_index("ix_forks_root_id", ["root_id"])
