"""The records every layer passes around, and their id and time helpers. No SQL, no IO.

The store hands these out (documents.store), the domain code builds on them
(documents.lineage_service, documents.family_graph) and the web layer turns them into JSON, so
they live apart from any storage code: what a workshop is does not depend on where it is kept.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from documents.access import Role

METADATA_FIELDS = ("place", "municipality", "funder", "programme")
EDITABLE_FIELDS = ("title", "organisation", "description", "visibility", *METADATA_FIELDS)
# What the lineage graph shows of a workshop: changing one changes its family's graph.
GRAPH_FIELDS = frozenset(("title", "organisation", "visibility", "place", "municipality"))


@dataclass(frozen=True, slots=True)
class WorkshopRecord:
    id: str
    title: str
    organisation: str
    description: str
    visibility: str
    place: str | None
    municipality: str | None
    funder: str | None
    programme: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def public(self) -> bool:
        return self.visibility == "public"


@dataclass(frozen=True, slots=True)
class LinkRecord:
    id: str
    workshop_id: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class VersionRecord:
    id: str
    workshop_id: str
    label: str
    author: str | None
    automatic: bool
    position: int
    state_vector: bytes
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ForkEdge:
    child_id: str
    parent_id: str
    parent_version_id: str | None
    parent_position: int
    parent_state_vector: bytes
    organisation: str
    reason: str
    forked_by: str | None
    created_at: datetime


FamilyRow = tuple[
    str, str, str, str, str, str | None, int, str | None, str | None, str | None, str | None
]
"""One fork of a family, as the driver returns it: its edge (parent id, child id, adopting
organisation, reason, fork time as UTC text (see `iso_utc`), parent version id, parent
position) and the child workshop as it is now (title, organisation, visibility, all three None
once deleted, and its place: of implementation, else its municipality, region or county).

A plain row rather than a record type: the lineage view turns each of ten thousand rows
straight into its node and edge, and building a record per row first took about a third of
the time spent turning the rows into the answer (tests/bench/lineage_bench.py)."""


def new_id() -> str:
    """Unguessable, and a valid document name: 20 lowercase hex digits."""
    return secrets.token_hex(10)


def utc_now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def iso_utc(text: str) -> str:
    """UTC text as the store reads it in bulk (`YYYY-MM-DD HH:MM:SS.ffffff`, see
    documents.store.sql.rows.utc_text) in ISO 8601, as `aware(value).isoformat()` gives it for
    the same instant: microseconds are left out when zero (SQLite's `CURRENT_TIMESTAMP` text has
    none to begin with)."""
    if text.endswith(".000000"):
        text = text[:-7]
    return text.replace(" ", "T", 1) + "+00:00"
