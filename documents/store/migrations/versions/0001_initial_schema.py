"""Initial schema: update log, checkpoints, workshops, share links, versions, forks.

Revision ID: 0001
Revises:
Created: 2026-11-28

Exactly what `tables.metadata.create_all` made before migrations existed, so databases created
that way are stamped with this revision (see `schema.py`) instead of being migrated.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

NAME = sa.String(128)
ID = sa.String(32)
TEXT_LINE = sa.String(300)
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "updates",
        # The rowid alias with AUTOINCREMENT on SQLite, BIGSERIAL on PostgreSQL.
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("document", NAME, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("checksum", sa.BigInteger(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("length(document) BETWEEN 1 AND 128", name="updates_document_length"),
        sa.Index("updates_document_position", "document", "position"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "checkpoints",
        sa.Column("document", NAME, nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("checksum", sa.BigInteger(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("document", "position", name="checkpoints_pkey"),
    )
    op.create_table(
        "workshops",
        sa.Column("id", ID, primary_key=True),
        sa.Column("title", TEXT_LINE, nullable=False),
        sa.Column("organisation", TEXT_LINE, nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("place", TEXT_LINE, nullable=True),
        sa.Column("municipality", TEXT_LINE, nullable=True),
        sa.Column("funder", TEXT_LINE, nullable=True),
        sa.Column("programme", TEXT_LINE, nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.Column("deleted_at", MOMENT, nullable=True),
        sa.CheckConstraint("visibility IN ('public', 'private')", name="workshops_visibility"),
    )
    op.create_table(
        "share_links",
        sa.Column("id", ID, primary_key=True),
        sa.Column("workshop_id", ID, sa.ForeignKey("workshops.id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("revoked_at", MOMENT, nullable=True),
        sa.Index("ix_share_links_workshop_id", "workshop_id"),
    )
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(256), nullable=False),
    )
    op.create_table(
        "versions",
        sa.Column("id", ID, primary_key=True),
        sa.Column("workshop_id", ID, sa.ForeignKey("workshops.id"), nullable=False),
        sa.Column("label", TEXT_LINE, nullable=False),
        sa.Column("author", TEXT_LINE, nullable=True),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("state_vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Index("ix_versions_workshop_id", "workshop_id"),
    )
    op.create_table(
        "forks",
        sa.Column("child_id", ID, sa.ForeignKey("workshops.id"), primary_key=True),
        sa.Column("parent_id", ID, sa.ForeignKey("workshops.id"), nullable=False),
        sa.Column("parent_version_id", ID, sa.ForeignKey("versions.id"), nullable=True),
        sa.Column("parent_position", sa.BigInteger(), nullable=False),
        sa.Column("parent_state_vector", sa.LargeBinary(), nullable=False),
        sa.Column("organisation", TEXT_LINE, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("forked_by", TEXT_LINE, nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Index("ix_forks_parent_id", "parent_id"),
    )
    op.create_table(
        "lineage_events",
        sa.Column("id", ID, primary_key=True),
        sa.Column("child_id", ID, sa.ForeignKey("forks.child_id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actor", TEXT_LINE, nullable=True),
        sa.Column("accepted", sa.Text(), nullable=False),
        sa.Column("rejected", sa.Text(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Index("ix_lineage_events_child_id", "child_id"),
    )
