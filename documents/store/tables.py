"""The SQL schema of the update log and its checkpoints, shared by SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
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
