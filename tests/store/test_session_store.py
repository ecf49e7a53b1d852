"""The session store's contract (sessions, people, hidden notes, dot votes), on every backend.

Concurrency is tested with two store objects on the same database, as two server processes (or
a server and the CLI) have them: their write transactions meet only in the database.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from documents.live.state import Phase, SessionState
from documents.live.targets import InvalidTarget
from documents.live.votes import BUDGET_SPENT, CLOSED, ITEM_CAP, NO_DOT, VoteRefused, VoteRules
from documents.store.base import Store
from documents.store.sessions import (
    Change,
    NoSuchRow,
    PersonRecord,
    SessionConflict,
    SessionRecord,
)
from documents.store.tables import session_dots

pytestmark = pytest.mark.asyncio

NOW = 1_800_000_000.0


async def live_session(store: Store, *phases: Phase) -> SessionRecord:
    workshop, _ = await store.workshops.create({"title": "Innopaja", "organisation": "Oulu"}, [])
    state = SessionState.begun(phases, NOW)
    return await store.sessions.sessions.create(workshop.id, "Yöpartio", state)


async def person(store: Store, session: SessionRecord, name: str = "Aino") -> PersonRecord:
    return await store.sessions.sessions.join(session.id, name, None)


async def test_one_live_session_per_workshop_and_past_ones_stay_listed(store: Store) -> None:
    rows = store.sessions.sessions
    first = await live_session(store)
    assert first.live
    assert first.state.phases[0].title == "Ideoi"
    with pytest.raises(SessionConflict) as raised:
        await rows.create(first.workshop_id, "Toinen", SessionState.begun((), NOW))
    assert raised.value.code == "session_live"
    assert await rows.live(first.workshop_id) == first

    ended = await rows.end(first.workshop_id, first.id, NOW + 60, {})
    assert not ended.live
    assert ended.ended_at is not None
    assert ended.state.periods[-1].ended_at == NOW + 60
    with pytest.raises(SessionConflict):
        await rows.end(first.workshop_id, first.id, NOW + 61, {})
    second = await rows.create(first.workshop_id, "Toinen", SessionState.begun((), NOW))

    assert [s.id for s in await rows.listing(first.workshop_id)] == [second.id, first.id]
    assert await rows.get(first.workshop_id, first.id) == ended
    assert await rows.get("someone-else", first.id) is None
    assert await rows.live(first.workshop_id) == second


async def test_changes_move_the_revision_only_when_the_state_changes(store: Store) -> None:
    rows = store.sessions.sessions
    session = await live_session(store)
    moved = await rows.change(session.workshop_id, session.id, lambda s: s.go_to(2, NOW + 5))
    assert (moved.state.phase, moved.revision) == (2, session.revision + 1)
    same = await rows.change(session.workshop_id, session.id, lambda s: s.go_to(2, NOW + 9))
    assert same.revision == moved.revision
    with pytest.raises(InvalidTarget):
        await rows.change(session.workshop_id, session.id, lambda s: s.focused("nowhere"))
    assert await rows.get(session.workshop_id, session.id) == moved

    await rows.end(session.workshop_id, session.id, NOW + 10, {})
    with pytest.raises(SessionConflict) as raised:
        await rows.change(session.workshop_id, session.id, lambda s: s.focused("matrix"))
    assert raised.value.code == "session_ended"


async def test_concurrent_changes_are_never_lost(store: Store, other_node: Store) -> None:
    session = await live_session(store)
    targets = [f"matrix/client.{t}" for t in ("actors", "tasks", "knowledge", "laws")]

    def lock(target: str) -> Change:
        return lambda state: state.locked([target], True)

    await asyncio.gather(
        *(
            node.sessions.sessions.change(session.workshop_id, session.id, lock(target))
            for node in (store, other_node)
            for target in targets
        )
    )
    final = await store.sessions.sessions.get(session.workshop_id, session.id)
    assert final is not None
    assert final.state.locks == tuple(sorted(targets))


async def test_people_and_expiring_links(store: Store) -> None:
    rows = store.sessions.sessions
    session = await live_session(store)
    owner_link = (await store.workshops.links(session.workshop_id))[0]
    aino = await rows.join(session.id, "Aino", owner_link.id)
    await rows.join(session.id, "Matti", None)
    assert await rows.person(session.id, aino.id) == aino
    assert await rows.person("another", aino.id) is None
    assert await rows.people(session.id) == 2
    link = await store.workshops.create_link(session.workshop_id, "participant")
    await rows.add_link(session.id, link.id)
    assert await rows.links(session.id) == [link.id]
    await rows.end(session.workshop_id, session.id, NOW + 1, {})
    with pytest.raises(SessionConflict):
        await rows.join(session.id, "Myöhässä", None)


async def test_hidden_notes_belong_to_their_author_until_the_reveal(
    store: Store, other_node: Store
) -> None:
    notes = store.sessions.notes
    session = await live_session(store)
    aino, matti = await person(store, session, "Aino"), await person(store, session, "Matti")
    first = await notes.add(session.id, aino.id, "Yöpartio kotiin")
    second = await notes.add(session.id, matti.id, "Omaiset mukaan")
    assert (first.author, first.phase, first.revealed_at) == ("Aino", 0, None)
    version = await notes.version(session.id)

    with pytest.raises(NoSuchRow):
        await notes.edit(session.id, first.id, matti.id, "kaapattu")
    with pytest.raises(NoSuchRow):
        await notes.withdraw(session.id, first.id, matti.id)
    edited = await other_node.sessions.notes.edit(session.id, first.id, aino.id, "Yöpartio")
    assert edited.text == "Yöpartio"
    assert edited.updated_at >= first.updated_at
    assert await notes.version(session.id) == version + 1

    mine, seen = await notes.listing(session.id, aino.id)
    assert [n.text for n in mine] == ["Yöpartio"]
    assert seen == version + 1
    everyone, _ = await notes.listing(session.id)
    assert [n.id for n in everyone] == [first.id, second.id]

    revealed = await notes.reveal(session.id, anonymous=True)
    assert {n.id for n in revealed} == {first.id, second.id}
    assert all(n.anonymous and n.revealed_at is not None for n in revealed)
    with pytest.raises(SessionConflict) as raised:
        await notes.edit(session.id, first.id, aino.id, "myöhässä")
    assert raised.value.code == "note_revealed"
    with pytest.raises(SessionConflict):
        await notes.withdraw(session.id, second.id, matti.id)

    late = await notes.add(session.id, matti.id, "Vielä yksi")
    await notes.withdraw(session.id, late.id, matti.id)
    # An interrupted reveal leaves notes revealed but not written: the next one offers them.
    again = await notes.reveal(session.id, anonymous=False)
    assert {n.id for n in again} == {first.id, second.id}
    await notes.written([first.id, second.id])
    assert await notes.reveal(session.id, anonymous=False) == []
    assert [n.id for n in await other_node.sessions.notes.revealed(session.id)] == [
        first.id,
        second.id,
    ]
    assert all(n.written for n in await notes.revealed(session.id))


async def test_notes_only_while_the_phase_takes_them(store: Store) -> None:
    session = await live_session(
        store, Phase("Ideoi", ("ideas",)), Phase("Päätä", ("model",), notes=False)
    )
    aino = await person(store, session)
    await store.sessions.notes.add(session.id, aino.id, "ok")
    await store.sessions.sessions.change(
        session.workshop_id, session.id, lambda s: s.go_to(1, NOW + 1)
    )
    with pytest.raises(SessionConflict) as raised:
        await store.sessions.notes.add(session.id, aino.id, "ei enää")
    assert raised.value.code == "notes_closed"
    await store.sessions.sessions.end(session.workshop_id, session.id, NOW + 2, {})
    with pytest.raises(SessionConflict):
        await store.sessions.notes.add(session.id, aino.id, "loppu")


async def test_vote_limits_and_results(store: Store) -> None:
    votes = store.sessions.votes
    session = await live_session(store)
    aino, matti = await person(store, session, "Aino"), await person(store, session, "Matti")
    rules = VoteRules.checked(["ideas/a", "ideas/b", "model/components/c"], 3, 2)
    vote = await votes.open(session.id, rules)
    with pytest.raises(SessionConflict) as raised:
        await votes.open(session.id, rules)
    assert raised.value.code == "vote_open"

    assert (await votes.cast(session.id, vote.id, aino.id, "ideas/a")).mine == {"ideas/a": 1}
    ballot = await votes.cast(session.id, vote.id, aino.id, "ideas/a")
    assert (ballot.mine, ballot.voters, ballot.vote) == ({"ideas/a": 2}, 1, vote)
    with pytest.raises(VoteRefused) as refused:
        await votes.cast(session.id, vote.id, aino.id, "ideas/a")
    assert refused.value.code == ITEM_CAP
    await votes.cast(session.id, vote.id, aino.id, "ideas/b")
    with pytest.raises(VoteRefused) as refused:
        await votes.cast(session.id, vote.id, aino.id, "model/components/c")
    assert refused.value.code == BUDGET_SPENT
    taken = await votes.uncast(session.id, vote.id, aino.id, "ideas/a")
    assert taken.mine == {"ideas/a": 1, "ideas/b": 1}
    await votes.cast(session.id, vote.id, aino.id, "model/components/c")
    with pytest.raises(VoteRefused) as refused:
        await votes.uncast(session.id, vote.id, matti.id, "ideas/a")
    assert refused.value.code == NO_DOT
    await votes.cast(session.id, vote.id, matti.id, "model/components/c")
    assert await votes.voters(vote.id) == 2
    assert await votes.dots(vote.id, matti.id) == {"model/components/c": 1}

    labels = {"ideas/a": "Yöpartio", "model/components/c": "Kotikäynti"}
    closed = await votes.close(session.id, vote.id, labels)
    assert closed.results is not None
    assert [(t.item, t.count, t.rank, t.label) for t in closed.results] == [
        ("model/components/c", 2, 1, "Kotikäynti"),
        ("ideas/a", 1, 2, "Yöpartio"),
        ("ideas/b", 1, 2, ""),
    ]
    with pytest.raises(VoteRefused) as refused:
        await votes.cast(session.id, vote.id, matti.id, "ideas/a")
    assert refused.value.code == CLOSED
    with pytest.raises(SessionConflict):
        await votes.close(session.id, vote.id, labels)
    assert await votes.get(session.id, vote.id) == closed
    assert await votes.listing(session.id) == [closed]


async def test_ending_a_session_closes_its_open_vote(store: Store) -> None:
    session = await live_session(store)
    aino = await person(store, session)
    vote = await store.sessions.votes.open(session.id, VoteRules.checked(["ideas/a"], 1, 1))
    await store.sessions.votes.cast(session.id, vote.id, aino.id, "ideas/a")
    await store.sessions.sessions.end(session.workshop_id, session.id, NOW + 1, {"ideas/a": "A"})
    closed = await store.sessions.votes.get(session.id, vote.id)
    assert closed is not None
    assert closed.results is not None
    assert [(t.label, t.count) for t in closed.results] == [("A", 1)]


async def test_concurrent_casts_never_pass_a_limit_lose_or_add_a_count(
    store: Store, other_node: Store, raw_engine: AsyncEngine
) -> None:
    """Many people cast and take back at once through two store objects (two processes): every
    cast the store accepted is one dot in the database, and no one passes a limit."""
    session = await live_session(store)
    items = [f"ideas/i{n}" for n in range(4)]
    rules = VoteRules.checked(items, 5, 2)
    vote = await store.sessions.votes.open(session.id, rules)
    people = [await person(store, session, f"P{n}") for n in range(12)]
    rng = random.Random(15)
    accepted: Counter[tuple[str, str]] = Counter()
    refusals: Counter[str] = Counter()

    async def attempt(node: Store, who: PersonRecord, item: str, take_back: bool) -> None:
        try:
            if take_back:
                await node.sessions.votes.uncast(session.id, vote.id, who.id, item)
                accepted[who.id, item] -= 1
            else:
                await node.sessions.votes.cast(session.id, vote.id, who.id, item)
                accepted[who.id, item] += 1
        except VoteRefused as refused:
            refusals[refused.code] += 1

    attempts = [
        attempt(rng.choice((store, other_node)), who, rng.choice(items), rng.random() < 0.2)
        for who in people
        for _ in range(12)
    ]
    await asyncio.gather(*attempts)

    async with raw_engine.connect() as conn:
        rows = (
            await conn.execute(
                select(session_dots.c.person_id, session_dots.c.item, func.count())
                .where(session_dots.c.vote_id == vote.id)
                .group_by(session_dots.c.person_id, session_dots.c.item)
            )
        ).all()
    stored = Counter({(who, item): int(n) for who, item, n in rows})
    assert stored == +accepted
    for who in people:
        mine = {item: n for (pid, item), n in stored.items() if pid == who.id}
        assert sum(mine.values()) <= rules.per_person
        assert max(mine.values(), default=0) <= rules.max_per_item
    closed = await store.sessions.votes.close(session.id, vote.id, {})
    assert closed.results is not None
    assert sum(t.count for t in closed.results) == sum(stored.values())
    assert refusals[BUDGET_SPENT], "the budget was put to the test"
    assert refusals[ITEM_CAP], "the per-item cap was put to the test"
