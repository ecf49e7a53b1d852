"""Versions and the lineage graph in SQL (documents.store.lineage).

Lineage questions are answered by the database with recursive queries (the same SQL on SQLite
and PostgreSQL, built in documents.store.sql.family), never by walking the graph one row at a time
from Python: a model adopted by hundreds of municipalities must still answer "where is this in
use" in one round trip.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Row, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from documents.records import FamilyRow, ForkEdge, VersionRecord, aware, new_id, utc_now
from documents.store import tables
from documents.store.log import CorruptLogEntry, StoredDocument
from documents.store.sql.family import (
    FAMILY_ORDER,
    activity,
    activity_query,
    edited_query,
    family_activity_query,
    head_query,
    members_query,
    read_many_queries,
)
from documents.store.sql.rows import Fetch


def _version(row: Row[Any]) -> VersionRecord:
    data = row._mapping
    return VersionRecord(
        id=data["id"],
        workshop_id=data["workshop_id"],
        label=data["label"],
        author=data["author"],
        automatic=bool(data["automatic"]),
        position=int(data["position"]),
        state_vector=bytes(data["state_vector"]),
        created_at=aware(data["created_at"]),
    )


def _edge(row: Row[Any]) -> ForkEdge:
    data = row._mapping
    return ForkEdge(
        child_id=data["child_id"],
        parent_id=data["parent_id"],
        parent_version_id=data["parent_version_id"],
        parent_position=int(data["parent_position"]),
        parent_state_vector=bytes(data["parent_state_vector"]),
        organisation=data["organisation"],
        reason=data["reason"],
        forked_by=data["forked_by"],
        created_at=aware(data["created_at"]),
    )


class SqlLineage:
    """Versions, fork edges and the events on them (a `Lineage`).

    The big reads go straight to the driver through `fetch`, which the database's module
    gives (documents.store.sql.sqlite, documents.store.sql.postgres)."""

    def __init__(self, engine: AsyncEngine, fetch: Fetch) -> None:
        self._engine = engine
        self._fetch = fetch
        self._head = head_query(engine.dialect)
        self._members = members_query(engine.dialect)
        self._activity = activity_query(engine.dialect)
        self._family_activity = family_activity_query(engine.dialect)

    async def add_version(
        self,
        workshop_id: str,
        label: str,
        *,
        author: str | None,
        automatic: bool,
        position: int,
        state_vector: bytes,
    ) -> VersionRecord:
        version = VersionRecord(
            new_id(), workshop_id, label, author, automatic, position, state_vector, utc_now()
        )
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(tables.versions),
                [
                    {
                        "id": version.id,
                        "workshop_id": workshop_id,
                        "label": label,
                        "author": author,
                        "automatic": automatic,
                        "position": position,
                        "state_vector": state_vector,
                        "created_at": version.created_at,
                    }
                ],
            )
        return version

    async def versions(self, workshop_id: str) -> list[VersionRecord]:
        """Newest first."""
        v = tables.versions.c
        query = (
            select(tables.versions)
            .where(v.workshop_id == workshop_id)
            .order_by(v.position.desc(), v.created_at.desc(), v.id)
        )
        async with self._engine.connect() as conn:
            return [_version(row) for row in (await conn.execute(query)).all()]

    async def version(self, workshop_id: str, version_id: str) -> VersionRecord | None:
        v = tables.versions.c
        query = select(tables.versions).where(v.id == version_id, v.workshop_id == workshop_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _version(row) if row is not None else None

    async def family_head(self, workshop_id: str) -> tuple[str, int]:
        """The workshop at the top of this one's family (itself when it is no fork) and the
        family's graph version, which every change to the graph advances."""
        async with self._engine.connect() as conn:
            rows = await self._fetch(conn, self._head, workshop=workshop_id)
        if not rows:
            raise LookupError(f"no workshop {workshop_id}")
        [(root, version)] = rows
        return str(root), int(version)

    async def family(self, root_id: str) -> Sequence[FamilyRow]:
        """Every fork under the root, oldest first, with its child's node, in one query."""
        async with self._engine.connect() as conn:
            rows = list(await self._fetch(conn, self._members, root=root_id))
        rows.sort(key=FAMILY_ORDER)
        return cast(Sequence[FamilyRow], rows)

    async def activity_below(self, workshop_id: str) -> dict[str, str | None]:
        """Every fork under this workshop, and when its content last changed (ISO 8601)."""
        async with self._engine.connect() as conn:
            return activity(await self._fetch(conn, self._activity, workshop=workshop_id))

    async def family_activity(self, root_id: str) -> dict[str, str | None]:
        """`activity_below` the family's root (the same answer, without walking the graph)."""
        async with self._engine.connect() as conn:
            return activity(await self._fetch(conn, self._family_activity, root=root_id))

    async def edited_forks(self, child_ids: Sequence[str]) -> dict[str, tuple[bytes, int]]:
        """The forks among these whose content was edited after the fork, each with the state it
        started from (its content's first log entry, written with the fork) and the position
        of its latest entry."""
        if not child_ids:
            return {}
        async with self._engine.connect() as conn:
            rows = (await conn.execute(edited_query(child_ids))).all()
        for document, position, data, checksum, _ in rows:
            if zlib.crc32(data) != checksum:
                raise CorruptLogEntry(document, position)
        return {document: (data, int(last)) for document, _, data, _, last in rows}

    async def last_positions(self, documents: Sequence[str]) -> dict[str, int]:
        """The position of each document's latest log entry, in one query."""
        if not documents:
            return {}
        u = tables.updates.c
        query = (
            select(u.document, func.max(u.position))
            .where(u.document.in_(list(documents)))
            .group_by(u.document)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {str(document): int(position) for document, position in rows}

    async def read_many(self, documents: Sequence[str]) -> dict[str, StoredDocument]:
        """The latest checkpoints of all the documents in one query, the entries after them
        in another."""
        if not documents:
            return {}
        checkpoints_query, tails_query = read_many_queries(list(documents))
        async with self._engine.connect() as conn:
            checkpoints = (await conn.execute(checkpoints_query)).all()
            tails = (await conn.execute(tails_query)).all()
        found = {name: StoredDocument(name) for name in documents}
        for name, position, state, checksum in checkpoints:
            if zlib.crc32(state) != checksum:
                raise CorruptLogEntry(name, position)
            found[name] = StoredDocument(name, state, int(position))
        for name, position, data, checksum in tails:
            if zlib.crc32(data) != checksum:
                raise CorruptLogEntry(name, position)
            found[name].tail.append((int(position), data))
        return found

    async def children(self, workshop_id: str) -> list[ForkEdge]:
        """The direct forks of a workshop, oldest first."""
        f = tables.forks.c
        query = (
            select(tables.forks)
            .where(f.parent_id == workshop_id)
            .order_by(f.created_at, f.child_id)
        )
        async with self._engine.connect() as conn:
            return [_edge(row) for row in (await conn.execute(query)).all()]

    async def parent(self, child_id: str) -> ForkEdge | None:
        f = tables.forks.c
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(tables.forks).where(f.child_id == child_id))).first()
        return _edge(row) if row is not None else None

    async def record_event(
        self,
        child_id: str,
        kind: str,
        *,
        actor: str | None,
        accepted: Sequence[str],
        rejected: Sequence[str],
    ) -> None:
        """A pull or a proposal on the edge of `child_id`."""
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(tables.lineage_events),
                [
                    {
                        "id": new_id(),
                        "child_id": child_id,
                        "kind": kind,
                        "actor": actor,
                        "accepted": json.dumps(list(accepted)),
                        "rejected": json.dumps(list(rejected)),
                        "created_at": utc_now(),
                    }
                ],
            )
