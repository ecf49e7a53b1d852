"""Dot votes in SQL (see documents/store/sessions.py for the contract, session_rows.py for
the locking).

A cast holds its vote's row (shared: casts do not wait for each other) and locks its person's
row, reads the person's dots, checks the rules on them and inserts one row for the dot, in one
transaction: two casts of one person can never both pass a limit that only one of them fits,
and since every dot is a row of its own, no count is ever lost or made up. Closing locks the
vote's row, so it waits for the casts in flight and no cast lands after the results are
counted. Locks are taken in one order by every transaction: session, vote, person.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from documents.live.votes import CLOSED, Tally, VoteRefused, VoteRules, ordered_results
from documents.records import aware, new_id, utc_now
from documents.store import tables
from documents.store.sessions import Ballot, NoSuchRow, SessionConflict, VoteRecord
from documents.store.sql.session_rows import Writes, bump, live_session

_V = tables.session_votes.c
_D = tables.session_dots.c
_P = tables.session_people.c


def _rules_json(rules: VoteRules) -> str:
    return json.dumps(rules.to_json(), ensure_ascii=False, separators=(",", ":"))


def _vote(row: Row[Any]) -> VoteRecord:
    data = row._mapping
    rules = json.loads(data["rules"])
    closed, results = data["closed_at"], data["results"]
    return VoteRecord(
        id=data["id"],
        session_id=data["session_id"],
        rules=VoteRules(tuple(rules["items"]), rules["per_person"], rules["max_per_item"]),
        opened_at=aware(data["opened_at"]),
        closed_at=None if closed is None else aware(closed),
        results=None if results is None else [Tally.from_json(t) for t in json.loads(results)],
    )


async def _dots(conn: AsyncConnection, vote_id: str, person_id: str) -> dict[str, int]:
    query = (
        select(_D.item, func.count())
        .where(_D.vote_id == vote_id, _D.person_id == person_id)
        .group_by(_D.item)
    )
    return {str(item): int(count) for item, count in (await conn.execute(query)).all()}


async def _voters(conn: AsyncConnection, vote_id: str) -> int:
    query = select(func.count(func.distinct(_D.person_id))).where(_D.vote_id == vote_id)
    return int(await conn.scalar(query) or 0)


async def _close(conn: AsyncConnection, vote: VoteRecord, labels: Mapping[str, str]) -> VoteRecord:
    """Count and close a vote whose row this transaction has locked."""
    counts_query = select(_D.item, func.count()).where(_D.vote_id == vote.id).group_by(_D.item)
    counts = {str(item): int(n) for item, n in (await conn.execute(counts_query)).all()}
    results = ordered_results(vote.rules, counts, labels)
    closed_at = utc_now()
    encoded = json.dumps([t.to_json() for t in results], ensure_ascii=False)
    await conn.execute(
        update(tables.session_votes)
        .where(_V.id == vote.id)
        .values(closed_at=closed_at, results=encoded, open_session_id=None)
    )
    return VoteRecord(vote.id, vote.session_id, vote.rules, vote.opened_at, closed_at, results)


async def close_open_vote(
    writes: Writes, conn: AsyncConnection, session_id: str, labels: Mapping[str, str]
) -> None:
    """Close the session's open vote, if any, in the caller's transaction (a session ending),
    which holds the session's row lock already."""
    query = writes.locking(select(tables.session_votes).where(_V.open_session_id == session_id))
    row = (await conn.execute(query)).first()
    if row is not None:
        await _close(conn, _vote(row), labels)


class SqlVoteRows:
    def __init__(self, engine: AsyncEngine, writes: Writes) -> None:
        self._engine = engine
        self._writes = writes

    async def open(self, session_id: str, rules: VoteRules) -> VoteRecord:
        vote = VoteRecord(new_id(), session_id, rules, utc_now(), None, None)
        async with self._writes.transaction() as conn:
            await live_session(self._writes, conn, session_id)
            already = await conn.scalar(select(_V.id).where(_V.open_session_id == session_id))
            if already is not None:
                raise SessionConflict(
                    "vote_open", f"vote {already} is still open: close it before opening another"
                )
            await conn.execute(
                insert(tables.session_votes),
                [
                    {
                        "id": vote.id,
                        "session_id": session_id,
                        "open_session_id": session_id,
                        "rules": _rules_json(rules),
                        "opened_at": vote.opened_at,
                        "closed_at": None,
                        "results": None,
                    }
                ],
            )
            await bump(conn, session_id)
        return vote

    async def get(self, session_id: str, vote_id: str) -> VoteRecord | None:
        query = select(tables.session_votes).where(_V.id == vote_id, _V.session_id == session_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _vote(row)

    async def listing(self, session_id: str) -> list[VoteRecord]:
        query = (
            select(tables.session_votes)
            .where(_V.session_id == session_id)
            .order_by(_V.opened_at, _V.id)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_vote(row) for row in rows]

    async def _person_on_open_vote(
        self, conn: AsyncConnection, session_id: str, vote_id: str, person_id: str
    ) -> tuple[VoteRecord, dict[str, int]]:
        """Hold the open vote (against closing) and lock the person (against their own other
        casts) for the rest of the transaction; the vote and the person's dots."""
        query = select(tables.session_votes).where(_V.id == vote_id, _V.session_id == session_id)
        row = (await conn.execute(self._writes.sharing(query))).first()
        if row is None:
            raise NoSuchRow(f"no vote {vote_id} in session {session_id}")
        vote = _vote(row)
        if not vote.open:
            raise VoteRefused(CLOSED, "the vote is closed")
        person = self._writes.locking(select(_P.id).where(_P.id == person_id))
        if (await conn.execute(person)).first() is None:
            raise NoSuchRow(f"no person {person_id}")
        return vote, await _dots(conn, vote_id, person_id)

    @staticmethod
    async def _ballot(conn: AsyncConnection, vote: VoteRecord, mine: dict[str, int]) -> Ballot:
        dots = {item: n for item, n in mine.items() if n}
        return Ballot(vote, dots, await _voters(conn, vote.id))

    async def cast(self, session_id: str, vote_id: str, person_id: str, item: str) -> Ballot:
        async with self._writes.transaction() as conn:
            vote, mine = await self._person_on_open_vote(conn, session_id, vote_id, person_id)
            vote.rules.check_cast(mine, item)
            await conn.execute(
                insert(tables.session_dots),
                [
                    {
                        "vote_id": vote_id,
                        "person_id": person_id,
                        "item": item,
                        "created_at": utc_now(),
                    }
                ],
            )
            mine[item] = mine.get(item, 0) + 1
            return await self._ballot(conn, vote, mine)

    async def uncast(self, session_id: str, vote_id: str, person_id: str, item: str) -> Ballot:
        async with self._writes.transaction() as conn:
            vote, mine = await self._person_on_open_vote(conn, session_id, vote_id, person_id)
            vote.rules.check_uncast(mine, item)
            newest = (
                select(func.max(_D.id))
                .where(_D.vote_id == vote_id, _D.person_id == person_id, _D.item == item)
                .scalar_subquery()
            )
            await conn.execute(delete(tables.session_dots).where(_D.id == newest))
            mine[item] -= 1
            return await self._ballot(conn, vote, mine)

    async def dots(self, vote_id: str, person_id: str) -> dict[str, int]:
        async with self._engine.connect() as conn:
            return await _dots(conn, vote_id, person_id)

    async def voters(self, vote_id: str) -> int:
        async with self._engine.connect() as conn:
            return await _voters(conn, vote_id)

    async def close(self, session_id: str, vote_id: str, labels: Mapping[str, str]) -> VoteRecord:
        async with self._writes.transaction() as conn:
            await live_session(self._writes, conn, session_id)
            query = self._writes.locking(
                select(tables.session_votes).where(_V.id == vote_id, _V.session_id == session_id)
            )
            row = (await conn.execute(query)).first()
            if row is None:
                raise NoSuchRow(f"no vote {vote_id} in session {session_id}")
            vote = _vote(row)
            if not vote.open:
                raise SessionConflict(CLOSED, "the vote is closed already")
            closed = await _close(conn, vote, labels)
            await bump(conn, session_id)
        return closed
