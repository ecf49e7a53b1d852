"""The SQL schema (update log, checkpoints, workshops, share links, versions and lineage, live
sessions), for SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

DOCUMENT_NAME_MAX = 128

metadata = MetaData()

# On SQLite the position must be the rowid alias (INTEGER PRIMARY KEY) with AUTOINCREMENT: then
# every row gets a position above any ever handed out, in insertion order, even if log entries
# are pruned some day; BIGINT elsewhere so the log never runs out of positions. The name length is
# checked by the database so both backends refuse the same names (SQLite ignores VARCHAR lengths)
# without a Python loop on the append path.
updates = Table(
    "updates",
    metadata,
    Column(
        "position",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("document", String(DOCUMENT_NAME_MAX), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("checksum", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(
        f"length(document) BETWEEN 1 AND {DOCUMENT_NAME_MAX}", name="updates_document_length"
    ),
    Index("updates_document_position", "document", "position"),
    sqlite_autoincrement=True,
)

# Several checkpoints per document may coexist (compaction never deletes); loading takes the one
# with the highest position, which the primary key index answers directly.
checkpoints = Table(
    "checkpoints",
    metadata,
    Column("document", String(DOCUMENT_NAME_MAX), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("state", LargeBinary, nullable=False),
    Column("checksum", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("document", "position", name="checkpoints_pkey"),
)

# Workshop metadata lives outside the CRDT documents: it is searched, listed and checked on
# every connection, none of which should need a document loaded. Deletion is soft so that the
# logs (and, later, forks taken from them) keep their meaning.
workshops = Table(
    "workshops",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("organisation", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("visibility", String(16), nullable=False),
    Column("place", String(300), nullable=True),
    Column("municipality", String(300), nullable=True),
    Column("funder", String(300), nullable=True),
    Column("programme", String(300), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True), nullable=True),
    # On a family's root: bumped in the transaction of every change to what the family's graph
    # shows (a fork, a member renamed, made private or deleted), so a node may keep the graph it
    # built and check it with one primary-key read (documents.family_graph).
    Column("family_version", BigInteger, nullable=False, server_default="0"),
    CheckConstraint("visibility IN ('public', 'private')", name="workshops_visibility"),
)

share_links = Table(
    "share_links",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("workshop_id", String(32), ForeignKey("workshops.id"), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

# Secrets the server generates once and every node must share (the token signing key).
server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
)

# A named or automatic version of a workshop's content: the log position it stands for (the
# state is rebuilt from checkpoints and the log up to it) and the state vector at that point.
versions = Table(
    "versions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("workshop_id", String(32), ForeignKey("workshops.id"), nullable=False, index=True),
    Column("label", String(300), nullable=False),
    Column("author", String(300), nullable=True),
    Column("automatic", Boolean, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("state_vector", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The lineage graph: one edge per fork, child -> parent, with the parent's point at fork time.
forks = Table(
    "forks",
    metadata,
    Column("child_id", String(32), ForeignKey("workshops.id"), primary_key=True),
    Column("parent_id", String(32), ForeignKey("workshops.id"), nullable=False, index=True),
    # The family's topmost workshop, so a whole family is one index range, not a recursion.
    Column("root_id", String(32), ForeignKey("workshops.id"), nullable=False, index=True),
    Column("parent_version_id", String(32), ForeignKey("versions.id"), nullable=True),
    Column("parent_position", BigInteger, nullable=False),
    Column("parent_state_vector", LargeBinary, nullable=False),
    Column("organisation", String(300), nullable=False),
    Column("reason", Text, nullable=False),
    Column("forked_by", String(300), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Pulls from upstream and proposals back, recorded on their edge.
lineage_events = Table(
    "lineage_events",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("child_id", String(32), ForeignKey("forks.child_id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("actor", String(300), nullable=True),
    Column("accepted", Text, nullable=False),
    Column("rejected", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Live Innopaja sessions (documents/live/; documents/store/sessions*.py). A session's steering
# state (agenda, phase periods, focus, timer, locks) is one JSON document on its row, changed
# under the row's lock; `revision` counts changes everyone sees (the session document shows
# them), `notes_version` changes to hidden notes (the facilitators' feed waits on it).
# `live_workshop_id` is the workshop's id while the session is live and NULL after: its unique
# key keeps one live session per workshop (NULLs never collide).
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("workshop_id", String(32), ForeignKey("workshops.id"), nullable=False, index=True),
    Column("title", String(300), nullable=False),
    Column("live_workshop_id", String(32), nullable=True),
    Column("state", Text, nullable=False),
    Column("revision", BigInteger, nullable=False),
    Column("notes_version", BigInteger, nullable=False),
    Column("version_id", String(32), ForeignKey("versions.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("live_workshop_id", name="sessions_one_live_per_workshop"),
)

# The people who joined a session under a name (participants need no account).
session_people = Table(
    "session_people",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("session_id", String(32), ForeignKey("sessions.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("link_id", String(32), ForeignKey("share_links.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Hidden notes live here only, never in a document, until revealed; `written_at` is set once a
# revealed note is among the content document's ideas.
session_notes = Table(
    "session_notes",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("session_id", String(32), ForeignKey("sessions.id"), nullable=False, index=True),
    Column("person_id", String(32), ForeignKey("session_people.id"), nullable=False, index=True),
    Column("phase", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("revealed_at", DateTime(timezone=True), nullable=True),
    Column("anonymous", Boolean, nullable=True),
    Column("written_at", DateTime(timezone=True), nullable=True),
)

# Dot votes: the rules as JSON, the ordered results once closed. `open_session_id` is the
# session's id while the vote is open: one open vote per session, as for live sessions.
session_votes = Table(
    "session_votes",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("session_id", String(32), ForeignKey("sessions.id"), nullable=False, index=True),
    Column("open_session_id", String(32), nullable=True),
    Column("rules", Text, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("results", Text, nullable=True),
    UniqueConstraint("open_session_id", name="session_votes_one_open_per_session"),
)

# One row per dot: a count is never a number rewritten in place, so no concurrent cast can
# lose one. Casts hold their vote's row lock while they check the limits and insert.
session_dots = Table(
    "session_dots",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("vote_id", String(32), ForeignKey("session_votes.id"), nullable=False),
    Column("person_id", String(32), ForeignKey("session_people.id"), nullable=False),
    Column("item", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("session_dots_vote_person", "vote_id", "person_id"),
)

# Share links that expire when their session ends (revoked then).
session_links = Table(
    "session_links",
    metadata,
    Column("link_id", String(32), ForeignKey("share_links.id"), primary_key=True),
    Column("session_id", String(32), ForeignKey("sessions.id"), nullable=False, index=True),
)
