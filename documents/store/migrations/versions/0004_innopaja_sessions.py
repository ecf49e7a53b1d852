"""Live Innopaja sessions: their people, hidden notes, dot votes, links that expire with them.

Revision ID: 0004
Revises: 0003
Created: 2026-12-05

Tables for sessions, the people who joined them, hidden notes, dot votes and their dots, and
the share links that expire with a session; nothing existing changes. Hidden notes are kept
here (never in a document) until they are revealed, so they survive a restart; each dot of a
vote is a row of its own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("live_workshop_id", sa.String(length=32), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("notes_version", sa.BigInteger(), nullable=False),
        sa.Column("version_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("live_workshop_id", name="sessions_one_live_per_workshop"),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_workshop_id"), ["workshop_id"], unique=False)

    op.create_table(
        "session_links",
        sa.Column("link_id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["share_links.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
        ),
        sa.PrimaryKeyConstraint("link_id"),
    )
    with op.batch_alter_table("session_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_links_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_people",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("link_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["share_links.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("session_people", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_people_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_votes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("open_session_id", sa.String(length=32), nullable=True),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("results", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_session_id", name="session_votes_one_open_per_session"),
    )
    with op.batch_alter_table("session_votes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_votes_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_dots",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("vote_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["session_people.id"],
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["session_votes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("session_dots", schema=None) as batch_op:
        batch_op.create_index("session_dots_vote_person", ["vote_id", "person_id"], unique=False)

    op.create_table(
        "session_notes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("phase", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["session_people.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("session_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_notes_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_session_notes_session_id"), ["session_id"], unique=False
        )
