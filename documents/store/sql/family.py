"""The queries behind the lineage view: a family's root, its members, their activity and which
forks changed since they were taken.

A family can hold ten thousand forks and its view must still answer in tens of milliseconds
(tests/bench/lineage_bench.py), so the members come in one query on the family's root (each
edge carries it) that carries only the columns the view shows, read straight from the driver
(documents.store.sql.rows). Only the subtree below a fork in the middle of a family still needs a
recursive query.

A workshop's content document is named by the workshop's id (documents.access), which is how
these queries join forks to the update log.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Dialect,
    Select,
    String,
    and_,
    bindparam,
    func,
    select,
)

from documents.records import iso_utc
from documents.store import tables
from documents.store.sql.rows import DriverQuery, driver_query, utc_text


def head_query(dialect: Dialect) -> DriverQuery:
    """The family's root (the workshop itself when it is no fork) and the version of the
    family's graph kept on the root's row: one seek in the edges and one in the workshops.
    Every lineage answer starts with it, the kept graph's too: through the driver it takes
    ~0.4 ms on PostgreSQL, where SQLAlchemy's result layer made it ~1.7."""
    f, w = tables.forks.c, tables.workshops.c
    workshop = bindparam("workshop", type_=String)
    above = select(f.root_id).where(f.child_id == workshop).scalar_subquery()
    query = select(w.id, w.family_version).where(w.id == func.coalesce(above, workshop))
    return driver_query(query, dialect)


def members_query(dialect: Dialect) -> DriverQuery:
    """Every edge of the family of `root`, with its child's node: one range of the root index
    (every edge carries its family's root), no recursion.

    Unordered: the reader sorts the rows by `FAMILY_ORDER`. PostgreSQL sorted the joined
    rows, some 800 bytes wide, in ~5 ms of a 10,000-fork family's ~23; Python sorts them by
    two of their values in ~2."""
    f, w = tables.forks.c, tables.workshops.c
    live = and_(w.id == f.child_id, w.deleted_at.is_(None))
    query = (
        select(
            f.parent_id,
            f.child_id,
            f.organisation,
            f.reason,
            utc_text(f.created_at),
            f.parent_version_id,
            f.parent_position,
            w.title,
            w.organisation,
            w.visibility,
            func.coalesce(w.place, w.municipality),
        )
        .select_from(tables.forks.outerjoin(tables.workshops, live))
        .where(f.root_id == bindparam("root", type_=String))
    )
    return driver_query(query, dialect)


FAMILY_ORDER = operator.itemgetter(4, 1)
"""Oldest first, by fork time (UTC text, its fields in a fixed layout, so it sorts as the times
do, as `ORDER BY` on it did on SQLite), then child id: the members' order in `members_query`'s
rows."""


def activity_query(dialect: Dialect) -> DriverQuery:
    """Every fork under `workshop`, with the time of its content's latest log entry (NULL if it
    has none): a recursive walk down from the workshop."""
    f = tables.forks.c
    down = select(f.child_id).where(f.parent_id == bindparam("workshop", type_=String))
    down_cte = down.cte("down", recursive=True)
    down_cte = down_cte.union_all(
        select(f.child_id).join(down_cte, f.parent_id == down_cte.c.child_id)
    )
    return driver_query(select(down_cte.c.child_id, _latest(down_cte.c.child_id)), dialect)


def family_activity_query(dialect: Dialect) -> DriverQuery:
    """`activity_query` for the family's root, whose forks are the whole family: one range of
    the root index instead of the walk, which cost two to three times as much for 10,000 forks."""
    f = tables.forks.c
    query = select(f.child_id, _latest(f.child_id)).where(
        f.root_id == bindparam("root", type_=String)
    )
    return driver_query(query, dialect)


def _latest(document: Any) -> Any:
    """The time of the document's latest log entry. Positions grow in commit order, so that is
    its last activity: one index seek instead of reading the time of every entry it logged."""
    u = tables.updates.c
    return (
        select(utc_text(u.created_at))
        .where(u.document == document)
        .order_by(u.position.desc())
        .limit(1)
        .scalar_subquery()
    )


def activity(rows: Sequence[Sequence[Any]]) -> dict[str, str | None]:
    return {child: None if last is None else iso_utc(last) for child, last in rows}


def edited_query(child_ids: Sequence[str]) -> Select[str, int, bytes, int, int]:
    """For the forks among these whose content has entries after its first (the state the
    fork wrote): that first entry, and the position of the last. Two index seeks per fork,
    however long its log."""
    w, u = tables.workshops.c, tables.updates.c
    ends = (
        select(w.id, _end(func.min, w.id).label("first"), _end(func.max, w.id).label("last"))
        .where(w.id.in_(list(child_ids)))
        .subquery()
    )
    return (
        select(ends.c.id, u.position, u.data, u.checksum, ends.c.last)
        .join(tables.updates, u.position == ends.c.first)
        .where(ends.c.last > ends.c.first)
    )


def _end(extreme: Any, document: Any) -> Any:
    u = tables.updates.c
    return select(extreme(u.position)).where(u.document == document).scalar_subquery()


def read_many_queries(documents: Sequence[str]) -> tuple[Select[Any], Select[Any]]:
    """The latest checkpoint of each document, and each one's log entries after it in order
    (two index ranges per document, as `load` reads one document)."""
    cp, u = tables.checkpoints.c, tables.updates.c
    inner = tables.checkpoints.alias("later")
    latest = (
        select(func.max(inner.c.position)).where(inner.c.document == cp.document).scalar_subquery()
    )
    checkpoints = select(cp.document, cp.position, cp.state, cp.checksum).where(
        cp.document.in_(documents), cp.position == latest
    )
    covered = select(func.max(cp.position)).where(cp.document == u.document).scalar_subquery()
    tails = (
        select(u.document, u.position, u.data, u.checksum)
        .where(u.document.in_(documents), u.position > func.coalesce(covered, 0))
        .order_by(u.document, u.position)
    )
    return checkpoints, tails
