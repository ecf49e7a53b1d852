"""Each family's root carries a version of the family's graph.

Revision ID: 0003
Revises: 0002
Created: 2026-11-28

The lineage view of a family of 10,000 forks read and encoded 10,000 rows per request (about
120 ms on the benchmark machine). Nodes keep the encoded graph and check it against this
version, which every change to the graph bumps in its own transaction. Existing families start
at 0, which no node has cached yet.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("workshops") as batch:
        batch.add_column(
            sa.Column("family_version", sa.BigInteger(), nullable=False, server_default="0")
        )
