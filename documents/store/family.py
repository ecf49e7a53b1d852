"""The queries behind the lineage view: a family's root, its members, and which forks changed.

A family can hold ten thousand forks and its view must still answer in tens of milliseconds
(tests/bench/lineage_bench.py), so the members come in one recursive query that carries only
the columns the view shows, read straight from the driver (documents.store.rows).

A workshop's content document is named by the workshop's id (documents.access), which is how
these queries join forks to the update log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    Dialect,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
)

from documents.store import tables
from documents.store.rows import DriverQuery, driver_query, utc_iso


class FamilyMember(NamedTuple):
    """One fork of a family: its edge, and the child workshop as it is now."""

    parent_id: str
    child_id: str
    organisation: str  # the adopting organisation, as recorded on the edge
    reason: str
    forked_at: str  # ISO 8601 with its UTC offset
    parent_version_id: str | None
    parent_position: int
    title: str | None  # the child's; None once it is deleted
    child_organisation: str | None
    public: bool
    below: bool  # in the subtree of the workshop the family was asked for
    last_activity: str | None  # likewise; for members below only, None if never written


def root_query(workshop_id: str) -> Select[str]:
    """The topmost ancestor's id; no row when the workshop is no fork."""
    f = tables.forks.c
    up = (
        select(f.parent_id, literal(1).label("depth"))
        .where(f.child_id == workshop_id)
        .cte("up", recursive=True)
    )
    up = up.union_all(select(f.parent_id, up.c.depth + 1).join(up, f.child_id == up.c.parent_id))
    return select(up.c.parent_id).order_by(up.c.depth.desc()).limit(1)


def members_query(dialect: Dialect) -> DriverQuery:
    """Every edge under `root`, oldest first, with its child's node, flagged when it lies under
    `below`, and for those the time of their content's latest log entry.

    Positions grow in commit order, so the latest entry's time is the last activity: one index
    seek per fork instead of reading the time of every entry it ever logged.
    """
    f, w, u = tables.forks.c, tables.workshops.c, tables.updates.c
    root, below = bindparam("root", type_=String), bindparam("below", type_=String)
    edge = [
        f.parent_id,
        f.child_id,
        f.organisation,
        f.reason,
        f.created_at,
        f.parent_version_id,
        f.parent_position,
    ]
    down = (
        select(*edge, (f.parent_id == below).label("under"))
        .where(f.parent_id == root)
        .cte("down", recursive=True)
    )
    down = down.union_all(
        select(*edge, or_(down.c.under, f.parent_id == below)).join(
            down, f.parent_id == down.c.child_id
        )
    )
    latest = (
        select(utc_iso(u.created_at))
        .where(u.document == down.c.child_id)
        .order_by(u.position.desc())
        .limit(1)
        .scalar_subquery()
    )
    live = and_(w.id == down.c.child_id, w.deleted_at.is_(None))
    query = (
        select(
            down.c.parent_id,
            down.c.child_id,
            down.c.organisation,
            down.c.reason,
            utc_iso(down.c.created_at),
            down.c.parent_version_id,
            down.c.parent_position,
            w.title,
            w.organisation,
            w.visibility == "public",
            down.c.under,
            case((down.c.under, latest)),
        )
        .select_from(down.outerjoin(tables.workshops, live))
        .order_by(down.c.created_at, down.c.child_id)
    )
    return driver_query(query, dialect)


def members(rows: Sequence[Sequence[Any]]) -> list[FamilyMember]:
    """The rows of `members_query` as members (its flags come as 0 and 1 from SQLite)."""
    return [
        FamilyMember(
            parent,
            child,
            organisation,
            reason,
            forked_at,
            version,
            position,
            title,
            child_organisation,
            bool(public),
            bool(under),
            last,
        )
        for (
            parent,
            child,
            organisation,
            reason,
            forked_at,
            version,
            position,
            title,
            child_organisation,
            public,
            under,
            last,
        ) in rows
    ]


def edited_query(child_ids: Sequence[str]) -> Select[str, int, bytes, int]:
    """For the forks among these whose content has entries after its first (the state the
    fork wrote): that first entry. Two index seeks per fork, however long its log."""
    w, u = tables.workshops.c, tables.updates.c
    ends = (
        select(w.id, _end(func.min, w.id).label("first"), _end(func.max, w.id).label("last"))
        .where(w.id.in_(list(child_ids)))
        .subquery()
    )
    return (
        select(ends.c.id, u.position, u.data, u.checksum)
        .join(tables.updates, u.position == ends.c.first)
        .where(ends.c.last > ends.c.first)
    )


def _end(extreme: Any, document: Any) -> Any:
    u = tables.updates.c
    return select(extreme(u.position)).where(u.document == document).scalar_subquery()
