"""The lineage view's queries, run against every backend: a family's root, its members (read
straight from the driver, their times as `utc_text`) and which forks were edited.

PostgreSQL is shared and never wiped, so each test builds a family of its own (fresh workshop
ids) and every query starts from that family's root.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from documents.access import DocumentKind, document_name
from documents.records import ForkEdge, aware, iso_utc, new_id
from documents.store.base import Store
from documents.store.log import CorruptLogEntry, PendingUpdate
from documents.store.tables import updates

# Whole seconds on purpose: ISO 8601 from Python leaves zero microseconds out.
MORNING = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)


def content(workshop_id: str) -> str:
    return document_name(workshop_id, DocumentKind.CONTENT)


async def create_root(store: Store) -> str:
    root_id = new_id()
    fields = {"title": "Yöpartio", "organisation": "Kuopio"}
    seeds = [PendingUpdate(content(root_id), b"root state")]
    await store.workshops.create(fields, seeds, workshop_id=root_id)
    return root_id


async def adopt(
    store: Store,
    parent_id: str,
    organisation: str,
    at: datetime,
    *,
    visibility: str = "public",
    version: str | None = None,
) -> str:
    """A fork whose content log starts with the state it was taken from, as `fork` writes it."""
    child_id = new_id()
    edge = ForkEdge(
        child_id=child_id,
        parent_id=parent_id,
        parent_version_id=version,
        parent_position=7,
        parent_state_vector=b"state vector",
        organisation=organisation,
        reason=f"{organisation}: sama tarve",
        forked_by=None,
        created_at=at,
    )
    fields = {"title": f"Yöpartio {organisation}", "organisation": organisation}
    await store.workshops.create(
        {**fields, "visibility": visibility},
        [PendingUpdate(content(child_id), f"state of {parent_id}".encode())],
        workshop_id=child_id,
        fork=edge,
    )
    return child_id


async def edit(store: Store, workshop_id: str) -> None:
    await store.append([PendingUpdate(content(workshop_id), b"an edit")])


async def last_logged(engine: AsyncEngine, workshop_id: str) -> str:
    """When the content last changed, read and formatted the ordinary SQLAlchemy way."""
    async with engine.connect() as conn:
        when = await conn.scalar(
            select(func.max(updates.c.created_at)).where(updates.c.document == content(workshop_id))
        )
    assert isinstance(when, datetime)
    return aware(when).isoformat()


@pytest.mark.asyncio
async def test_a_family_comes_oldest_first_with_each_childs_node(store: Store) -> None:
    root = await create_root(store)
    version = await store.lineage.add_version(
        root, "v1", author=None, automatic=False, position=1, state_vector=b""
    )
    late = MORNING + timedelta(minutes=2)
    odd = MORNING + timedelta(minutes=1, microseconds=123_000)
    siilinjarvi = await adopt(store, root, "Siilinjärvi", late, version=version.id)
    oulu = await adopt(store, root, "Oulu", odd, visibility="private")
    kemi = await adopt(store, siilinjarvi, "Kemi", late + timedelta(minutes=1))
    vaasa = await adopt(store, oulu, "Vaasa", MORNING)
    await store.workshops.delete(kemi)
    # Its place: of implementation, else its municipality.
    await store.workshops.update(vaasa, {"municipality": "Vaasa"})
    await store.workshops.update(oulu, {"place": "Oulun terveysasema", "municipality": "Oulu"})

    family = await store.lineage.family(root)

    assert [
        (parent, child, organisation, reason, iso_utc(forked), version)
        for parent, child, organisation, reason, forked, version, *_ in family
    ] == [
        (oulu, vaasa, "Vaasa", "Vaasa: sama tarve", MORNING.isoformat(), None),
        (root, oulu, "Oulu", "Oulu: sama tarve", odd.isoformat(), None),
        (root, siilinjarvi, "Siilinjärvi", "Siilinjärvi: sama tarve", late.isoformat(), version.id),
        (
            siilinjarvi,
            kemi,
            "Kemi",
            "Kemi: sama tarve",
            (late + timedelta(minutes=1)).isoformat(),
            None,
        ),
    ]
    assert {row[6] for row in family} == {7}
    assert [tuple(row[7:]) for row in family] == [
        ("Yöpartio Vaasa", "Vaasa", "public", "Vaasa"),
        ("Yöpartio Oulu", "Oulu", "private", "Oulun terveysasema"),
        ("Yöpartio Siilinjärvi", "Siilinjärvi", "public", None),
        (None, None, None, None),  # deleted
    ]


@pytest.mark.asyncio
async def test_a_workshop_nobody_adopted_has_an_empty_family(store: Store) -> None:
    root = await create_root(store)
    assert list(await store.lineage.family(root)) == []


@pytest.mark.asyncio
async def test_the_activity_below_a_workshop_is_its_subtrees_latest_entries(
    store: Store, raw_engine: AsyncEngine
) -> None:
    root = await create_root(store)
    first = await adopt(store, root, "Iisalmi", MORNING)
    second = await adopt(store, first, "Lapinlahti", MORNING)
    third = await adopt(store, second, "Varpaisjärvi", MORNING)
    other = await adopt(store, root, "Joensuu", MORNING)
    await edit(store, third)

    expected = {child: await last_logged(raw_engine, child) for child in (first, second, third)}
    expected[other] = await last_logged(raw_engine, other)
    assert await store.lineage.activity_below(first) == {
        second: expected[second],
        third: expected[third],
    }
    assert await store.lineage.activity_below(root) == expected
    assert await store.lineage.family_activity(root) == expected
    assert await store.lineage.activity_below(third) == {}


@pytest.mark.asyncio
async def test_the_root_of_every_member_is_the_top_of_its_family(store: Store) -> None:
    root = await create_root(store)
    child = await adopt(store, root, "Kajaani", MORNING)
    grandchild = await adopt(store, child, "Sotkamo", MORNING)

    heads = [await store.lineage.family_head(w) for w in (root, child, grandchild)]

    assert [head_root for head_root, _ in heads] == [root] * 3
    assert len({version for _, version in heads}) == 1


@pytest.mark.asyncio
async def test_a_workshop_nobody_adopted_heads_its_own_family_at_version_0(store: Store) -> None:
    alone = await create_root(store)

    assert await store.lineage.family_head(alone) == (alone, 0)
    with pytest.raises(LookupError, match="no workshop nope"):
        await store.lineage.family_head("nope")


async def family_version(store: Store, member: str) -> int:
    _, version = await store.lineage.family_head(member)
    return version


@pytest.mark.asyncio
async def test_every_change_the_graph_shows_advances_the_family_version(store: Store) -> None:
    root = await create_root(store)
    child = await adopt(store, root, "Kajaani", MORNING)
    grandchild = await adopt(store, child, "Sotkamo", MORNING)
    seen = [await family_version(store, grandchild)]

    async def advanced() -> bool:
        seen.append(await family_version(store, grandchild))
        return seen[-1] > seen[-2]

    await adopt(store, grandchild, "Vuokatti", MORNING)
    assert await advanced()
    await store.workshops.update(grandchild, {"title": "Yöpartio Sotkamossa"})
    assert await advanced()
    await store.workshops.update(child, {"organisation": "Kajaanin kaupunki"})
    assert await advanced()
    await store.workshops.update(child, {"visibility": "private"})
    assert await advanced()
    await store.workshops.update(child, {"place": "Kajaanin terveysasema"})
    assert await advanced()
    await store.workshops.update(root, {"title": "Yöpartio 2"})
    assert await advanced()
    await store.workshops.delete(grandchild)
    assert await advanced()


@pytest.mark.asyncio
async def test_changes_the_graph_does_not_show_keep_the_family_version(store: Store) -> None:
    root = await create_root(store)
    child = await adopt(store, root, "Kajaani", MORNING)
    before = await family_version(store, root)

    await store.workshops.update(child, {"description": "Uusi kuvaus", "funder": "Kainuu"})
    await edit(store, child)
    await store.workshops.update("nope", {"title": "ei ole"})
    await store.workshops.delete("nope")
    other = await create_root(store)
    await adopt(store, other, "Oulu", MORNING)

    assert await family_version(store, root) == before


@pytest.mark.asyncio
async def test_edited_forks_come_with_the_state_they_started_from_and_their_latest_position(
    store: Store, raw_engine: AsyncEngine
) -> None:
    root = await create_root(store)
    edited = await adopt(store, root, "Pori", MORNING)
    untouched = await adopt(store, root, "Rauma", MORNING)
    await edit(store, edited)
    await edit(store, edited)
    async with raw_engine.connect() as conn:
        latest = await conn.scalar(
            select(func.max(updates.c.position)).where(updates.c.document == content(edited))
        )

    assert await store.lineage.edited_forks([edited, untouched]) == {
        edited: (f"state of {root}".encode(), latest)
    }
    assert await store.lineage.edited_forks([untouched]) == {}
    assert await store.lineage.edited_forks([]) == {}


@pytest.mark.asyncio
async def test_a_corrupted_starting_state_is_reported_not_compared(
    store: Store, raw_engine: AsyncEngine
) -> None:
    root = await create_root(store)
    fork = await adopt(store, root, "Salo", MORNING)
    await edit(store, fork)
    async with raw_engine.begin() as conn:
        first = await conn.scalar(
            select(func.min(updates.c.position)).where(updates.c.document == content(fork))
        )
        await conn.execute(update(updates).where(updates.c.position == first).values(data=b"?"))

    with pytest.raises(CorruptLogEntry) as raised:
        await store.lineage.edited_forks([fork])
    assert (raised.value.document, raised.value.position) == (content(fork), first)


@pytest.mark.asyncio
async def test_many_documents_are_read_at_once_as_each_would_load(store: Store) -> None:
    """`read_many` answers what `load` answers for each document: its latest checkpoint and
    the entries after it; a document never written reads as empty."""
    root = await create_root(store)
    checkpointed = await adopt(store, root, "Salo", MORNING)
    plain = await adopt(store, root, "Lohja", MORNING)
    await edit(store, checkpointed)
    [position] = await store.append([PendingUpdate(content(checkpointed), b"second edit")])
    await store.save_checkpoint(content(checkpointed), b"checkpoint state", position - 1)
    await store.save_checkpoint(content(checkpointed), b"older checkpoint", position - 2)
    await edit(store, plain)
    names = [content(checkpointed), content(plain), content(root), "never-written"]

    read = await store.lineage.read_many(names)
    positions = await store.lineage.last_positions(names)

    for name in names[:3]:
        assert read[name] == await store.load(name)
        assert positions[name] == read[name].last_position
    assert read[content(checkpointed)].checkpoint == b"checkpoint state"
    assert read[content(checkpointed)].tail == [(position, b"second edit")]
    assert (read["never-written"].checkpoint, read["never-written"].tail) == (None, [])
    assert "never-written" not in positions
    assert await store.lineage.read_many([]) == {}
    assert await store.lineage.last_positions([]) == {}


@pytest.mark.asyncio
async def test_a_corrupted_entry_read_with_many_others_is_reported(
    store: Store, raw_engine: AsyncEngine
) -> None:
    root = await create_root(store)
    fork = await adopt(store, root, "Salo", MORNING)
    await edit(store, fork)
    async with raw_engine.begin() as conn:
        last = await conn.scalar(
            select(func.max(updates.c.position)).where(updates.c.document == content(fork))
        )
        await conn.execute(update(updates).where(updates.c.position == last).values(data=b"?"))

    with pytest.raises(CorruptLogEntry) as raised:
        await store.lineage.read_many([content(root), content(fork)])
    assert (raised.value.document, raised.value.position) == (content(fork), last)
