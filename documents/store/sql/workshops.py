"""Workshops and their share links in SQL (documents.store.workshops), the same statements on
SQLite and PostgreSQL.

A workshop is created in one transaction together with its owner link and the first update of
each of its documents (the structure the server seeds), so there is never a workshop whose
documents lack their structure, nor seeded documents without a workshop.
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Update, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from documents.access import Role
from documents.records import (
    EDITABLE_FIELDS,
    GRAPH_FIELDS,
    ForkEdge,
    LinkRecord,
    WorkshopRecord,
    aware,
    new_id,
    utc_now,
)
from documents.store import tables
from documents.store.log import PendingUpdate
from documents.store.recent import RecentLookups
from documents.store.sql.admission_rows import AdmissionQueries, link_record, workshop_record
from documents.store.sql.rows import ReadRows, utc_datetime

# How long admission may reuse a workshop or share-link row read earlier: changes made in this
# process are seen at once, changes made by another node (or the CLI) within this many seconds.
RECENT_TTL = 5.0
RECENT_MAX_ENTRIES = 10_000


def _workshop(row: Row[Any]) -> WorkshopRecord:
    return workshop_record(row._mapping, aware)


def _root_of(workshop_id: str) -> ColumnElement[str]:
    """The root of the workshop's family: its edge's root, or itself when it is no fork."""
    f = tables.forks.c
    above = select(f.root_id).where(f.child_id == workshop_id).scalar_subquery()
    return func.coalesce(above, workshop_id)


def _bump_family_version(root: str | ColumnElement[str]) -> Update:
    """Run in the transaction of the change, so no reader sees the change under the old
    version (a node could then keep serving a graph without it)."""
    w = tables.workshops.c
    return update(tables.workshops).where(w.id == root).values(family_version=w.family_version + 1)


def _fork_row(edge: ForkEdge) -> dict[str, Any]:
    """The edge as a row, for inserting in the transaction that creates the child."""
    return {
        "child_id": edge.child_id,
        "parent_id": edge.parent_id,
        "parent_version_id": edge.parent_version_id,
        "parent_position": edge.parent_position,
        "parent_state_vector": edge.parent_state_vector,
        "organisation": edge.organisation,
        "reason": edge.reason,
        "forked_by": edge.forked_by,
        "created_at": edge.created_at,
    }


def _link(row: Row[Any]) -> LinkRecord:
    return link_record(row._mapping, aware)


class SqlWorkshops:
    """The workshop repository over the store's engine (a `Workshops`); admission's lookups
    through the database's `read` (see ReadRows)."""

    def __init__(self, engine: AsyncEngine, read: ReadRows) -> None:
        self._engine = engine
        self._read = read
        self._queries = AdmissionQueries(engine.dialect)
        self._recent_workshops = RecentLookups(
            self._admitted_workshop, ttl=RECENT_TTL, max_entries=RECENT_MAX_ENTRIES
        )
        self._recent_links = RecentLookups(
            self._admitted_link, ttl=RECENT_TTL, max_entries=RECENT_MAX_ENTRIES
        )

    async def create(
        self,
        fields: Mapping[str, str | None],
        seeds: Sequence[PendingUpdate],
        *,
        workshop_id: str | None = None,
        fork: ForkEdge | None = None,
    ) -> tuple[WorkshopRecord, LinkRecord]:
        """Insert the workshop, its owner link, its documents' first updates and, for a fork,
        its lineage edge, atomically: a fork never exists without its edge."""
        now = utc_now()
        identifier = workshop_id or new_id()
        row: dict[str, Any] = {name: fields.get(name) for name in EDITABLE_FIELDS}
        row.update(id=identifier, created_at=now, updated_at=now, deleted_at=None)
        row["description"] = row["description"] or ""
        row["visibility"] = row["visibility"] or "public"
        link = {
            "id": new_id(),
            "workshop_id": identifier,
            "role": "owner",
            "created_at": now,
            "revoked_at": None,
        }
        log_rows = [
            {"document": s.document, "data": s.update, "checksum": zlib.crc32(s.update)}
            for s in seeds
        ]
        async with self._engine.begin() as conn:
            await conn.execute(insert(tables.workshops), [row])
            await conn.execute(insert(tables.share_links), [link])
            if log_rows:
                await conn.execute(insert(tables.updates), log_rows)
            if fork is not None:
                f = tables.forks.c
                parent = fork.parent_id
                above = await conn.scalar(select(f.root_id).where(f.child_id == parent))
                root = above or parent
                await conn.execute(insert(tables.forks), [{**_fork_row(fork), "root_id": root}])
                await conn.execute(_bump_family_version(root))
        self._recent_workshops.forget(identifier)
        return (
            WorkshopRecord(
                **{k: row[k] for k in ("id", *EDITABLE_FIELDS, "created_at", "updated_at")}
            ),
            LinkRecord(str(link["id"]), identifier, "owner", now, None),
        )

    async def get(self, workshop_id: str) -> WorkshopRecord | None:
        """The workshop, unless it does not exist or was deleted."""
        w = tables.workshops.c
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(tables.workshops).where(w.id == workshop_id, w.deleted_at.is_(None))
                )
            ).first()
        return _workshop(row) if row is not None else None

    async def prepare(self) -> None:
        """Look a workshop and a link up once, so that the connection admission reads on is
        open before the first client: after a restart every client reconnects at once."""
        await self._admitted_workshop("")
        await self._admitted_link("")

    async def _admitted_workshop(self, workshop_id: str) -> WorkshopRecord | None:
        """As `get`, through `read`."""
        rows = await self._read(self._queries.workshop, id=workshop_id)
        return workshop_record(self._queries.workshop_row(rows[0]), utc_datetime) if rows else None

    async def _admitted_link(self, link_id: str) -> LinkRecord | None:
        """As `link`, through `read`."""
        rows = await self._read(self._queries.link, id=link_id)
        return link_record(self._queries.link_row(rows[0]), utc_datetime) if rows else None

    async def get_recent(self, workshop_id: str) -> WorkshopRecord | None:
        """As `get`, or as it answered at most RECENT_TTL seconds ago: for admission, which asks
        for every connection. Changes made through this object are seen at once."""
        return await self._recent_workshops.get(workshop_id)

    async def many(self, workshop_ids: Sequence[str]) -> dict[str, WorkshopRecord]:
        """The live ones among these workshops, by id (deleted ones are absent)."""
        w = tables.workshops.c
        query = select(tables.workshops).where(w.id.in_(list(workshop_ids)), w.deleted_at.is_(None))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {row.id: _workshop(row) for row in rows}

    async def search(
        self,
        query: str,
        *,
        private_ids: Sequence[str] = (),
        include_private: bool = False,
        limit: int = 100,
    ) -> list[WorkshopRecord]:
        """Public workshops (and the given private ones, or all for an operator) whose title or
        organisation matches."""
        w = tables.workshops.c
        conditions: list[ColumnElement[bool]] = [w.deleted_at.is_(None)]
        if not include_private:
            conditions.append(or_(w.visibility == "public", w.id.in_(list(private_ids))))
        if query:
            pattern = f"%{query.lower()}%"
            conditions.append(or_(w.title.ilike(pattern), w.organisation.ilike(pattern)))
        statement = (
            select(tables.workshops)
            .where(and_(*conditions))
            .order_by(w.updated_at.desc(), w.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return [_workshop(row) for row in rows]

    async def update(
        self, workshop_id: str, changes: Mapping[str, str | None]
    ) -> WorkshopRecord | None:
        """Change editable fields; None if the workshop is gone."""
        values: dict[str, Any] = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
        values["updated_at"] = utc_now()
        w = tables.workshops.c
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(tables.workshops)
                .where(w.id == workshop_id, w.deleted_at.is_(None))
                .values(**values)
            )
            if result.rowcount == 1 and GRAPH_FIELDS & values.keys():
                await conn.execute(_bump_family_version(_root_of(workshop_id)))
        self._recent_workshops.forget(workshop_id)
        if result.rowcount != 1:
            return None
        return await self.get(workshop_id)

    async def delete(self, workshop_id: str) -> bool:
        """Soft-delete the workshop and revoke every link; False if it was already gone."""
        now = utc_now()
        w, s = tables.workshops.c, tables.share_links.c
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(tables.workshops)
                .where(w.id == workshop_id, w.deleted_at.is_(None))
                .values(deleted_at=now, updated_at=now)
            )
            if result.rowcount == 1:
                await conn.execute(_bump_family_version(_root_of(workshop_id)))
            await conn.execute(
                update(tables.share_links)
                .where(s.workshop_id == workshop_id, s.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        self._recent_workshops.forget(workshop_id)
        self._recent_links.clear()  # every link of the workshop was revoked
        return result.rowcount == 1

    async def create_link(self, workshop_id: str, role: Role) -> LinkRecord:
        link = LinkRecord(new_id(), workshop_id, role, utc_now(), None)
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(tables.share_links),
                [
                    {
                        "id": link.id,
                        "workshop_id": workshop_id,
                        "role": role,
                        "created_at": link.created_at,
                        "revoked_at": None,
                    }
                ],
            )
        return link

    async def links(self, workshop_id: str) -> list[LinkRecord]:
        s = tables.share_links.c
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(tables.share_links)
                    .where(s.workshop_id == workshop_id)
                    .order_by(s.created_at, s.id)
                )
            ).all()
        return [_link(row) for row in rows]

    async def link(self, link_id: str) -> LinkRecord | None:
        s = tables.share_links.c
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(tables.share_links).where(s.id == link_id))).first()
        return _link(row) if row is not None else None

    def forget(self, *, workshop_id: str | None = None, link_id: str | None = None) -> None:
        """Another process changed these rows: the next `get_recent`/`link_recent` reads them."""
        if workshop_id is not None:
            self._recent_workshops.forget(workshop_id)
        if link_id is not None:
            self._recent_links.forget(link_id)

    async def link_recent(self, link_id: str) -> LinkRecord | None:
        """As `link`, or as it answered at most RECENT_TTL seconds ago (see `get_recent`)."""
        return await self._recent_links.get(link_id)

    async def revoke_link(self, workshop_id: str, link_id: str) -> bool:
        """Revoke a live link of this workshop; False if there is none."""
        s = tables.share_links.c
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(tables.share_links)
                .where(s.id == link_id, s.workshop_id == workshop_id, s.revoked_at.is_(None))
                .values(revoked_at=utc_now())
            )
        self._recent_links.forget(link_id)
        return result.rowcount == 1

    async def secret(self, name: str) -> str:
        """A server-wide secret, generated by whichever node asks first and shared after."""
        column = tables.server_secrets.c
        query = select(column.value).where(column.name == name)
        async with self._engine.connect() as conn:
            value = (await conn.execute(query)).scalar()
        if value is not None:
            return str(value)
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(tables.server_secrets),
                    [{"name": name, "value": secrets.token_urlsafe(48)}],
                )
        except IntegrityError:
            pass  # another node created it first: read theirs below
        async with self._engine.connect() as conn:
            return str((await conn.execute(query)).scalar_one())
