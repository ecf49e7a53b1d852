"""Admission's cache of workshop and link rows: shared queries, reuse, and forgetting."""

from __future__ import annotations

import asyncio

import pytest

from documents.store.recent import RecentLookups
from tests.support.conditions import wait_until


class Rows:
    """A lookup that counts its queries, answers `value` and can be held at a gate."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        self.value = "v1"
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail = False

    async def __call__(self, key: str) -> str:
        self.queries.append(key)
        value = self.value
        await self.gate.wait()
        if self.fail:
            raise ConnectionError("database unavailable")
        return f"{key}:{value}"


@pytest.mark.asyncio
async def test_concurrent_lookups_of_one_key_share_one_query() -> None:
    rows = Rows()
    rows.gate.clear()
    recent = RecentLookups(rows, ttl=60, max_entries=10)

    # Tasks run in creation order: once the first one's query started, all five have asked.
    waiting = [asyncio.create_task(recent.get("a")) for _ in range(5)]
    await wait_until(lambda: len(rows.queries) >= 1, what="the query to start")
    rows.gate.set()

    assert await asyncio.gather(*waiting) == ["a:v1"] * 5
    assert rows.queries == ["a"]


@pytest.mark.asyncio
async def test_an_answer_is_reused_until_forgotten() -> None:
    rows = Rows()
    recent = RecentLookups(rows, ttl=60, max_entries=10)

    assert await recent.get("a") == "a:v1"
    rows.value = "v2"
    assert await recent.get("a") == "a:v1"
    recent.forget("a")

    assert await recent.get("a") == "a:v2"
    assert rows.queries == ["a", "a"]


@pytest.mark.asyncio
async def test_an_expired_answer_is_asked_again() -> None:
    rows = Rows()
    recent = RecentLookups(rows, ttl=0, max_entries=10)

    await recent.get("a")
    await recent.get("a")

    assert rows.queries == ["a", "a"]


@pytest.mark.asyncio
async def test_a_query_running_when_its_rows_change_answers_its_callers_but_is_not_kept() -> None:
    rows = Rows()
    rows.gate.clear()
    recent = RecentLookups(rows, ttl=60, max_entries=10)
    early = asyncio.create_task(recent.get("a"))
    await wait_until(lambda: len(rows.queries) >= 1, what="the first query to start")

    recent.forget("a")
    rows.value = "v2"
    late = asyncio.create_task(recent.get("a"))
    await wait_until(lambda: len(rows.queries) >= 2, what="the second query to start")
    rows.gate.set()

    assert await early == "a:v1"
    assert await late == "a:v2"
    assert await recent.get("a") == "a:v2"
    assert rows.queries == ["a", "a"]


@pytest.mark.asyncio
async def test_a_failed_lookup_is_not_kept() -> None:
    rows = Rows()
    rows.fail = True
    recent = RecentLookups(rows, ttl=60, max_entries=10)

    with pytest.raises(ConnectionError):
        await recent.get("a")
    rows.fail = False

    assert await recent.get("a") == "a:v1"
    assert rows.queries == ["a", "a"]


@pytest.mark.asyncio
async def test_the_oldest_answers_make_room_for_new_ones() -> None:
    rows = Rows()
    recent = RecentLookups(rows, ttl=60, max_entries=2)

    for key in ("a", "b", "c", "b", "a"):
        await recent.get(key)

    assert rows.queries == ["a", "b", "c", "a"]
