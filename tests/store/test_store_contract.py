"""The Store contract, run against every backend (see conftest.py for how backends are chosen)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Map, Text
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from documents.store.base import Store
from documents.store.factory import create_store
from documents.store.log import CorruptLogEntry, LogEntry, PendingUpdate, StoredDocument
from documents.store.tables import checkpoints, updates


def unique_document() -> str:
    """A name no other test, run or xdist worker uses: PostgreSQL is shared and never wiped."""
    return f"test-{uuid.uuid4().hex}"


def pending(document: str, *payloads: bytes) -> list[PendingUpdate]:
    return [PendingUpdate(document, payload) for payload in payloads]


async def stored_rows(engine: AsyncEngine, document: str) -> int:
    async with engine.connect() as conn:
        count = await conn.scalar(
            select(func.count()).select_from(updates).where(updates.c.document == document)
        )
    return int(count or 0)


@pytest.mark.asyncio
async def test_ping_succeeds_on_an_open_store(store: Store) -> None:
    await store.ping()


@pytest.mark.asyncio
async def test_append_returns_increasing_positions_in_input_order(store: Store) -> None:
    document = unique_document()
    first = [f"first-{i}".encode() for i in range(25)]
    second = [f"second-{i}".encode() for i in range(5)]

    first_positions = await store.append(pending(document, *first))
    second_positions = await store.append(pending(document, *second))

    positions = first_positions + second_positions
    assert len(first_positions) == len(first)
    assert len(second_positions) == len(second)
    assert positions == sorted(set(positions))
    # Each returned position must hold the update given at the same index, not just any of them.
    loaded = await store.load(document)
    assert loaded.tail == list(zip(positions, first + second, strict=True))
    assert {(type(p), type(u)) for p, u in loaded.tail} == {(int, bytes)}


@pytest.mark.asyncio
async def test_append_of_nothing_stores_nothing(store: Store) -> None:
    assert await store.append([]) == []


@pytest.mark.asyncio
async def test_load_of_an_unknown_document_is_empty(store: Store) -> None:
    loaded = await store.load(unique_document())

    assert loaded.checkpoint is None
    assert loaded.checkpoint_position == 0
    assert loaded.tail == []
    assert loaded.last_position == 0


@pytest.mark.asyncio
async def test_load_returns_every_entry_in_order(store: Store) -> None:
    document = unique_document()
    batches = [[b"a"], [b"b", b"c"], [b"d"]]
    expected: list[LogEntry] = []
    for batch in batches:
        positions = await store.append(pending(document, *batch))
        expected += zip(positions, batch, strict=True)

    loaded = await store.load(document)

    assert loaded.name == document
    assert loaded.checkpoint is None
    assert loaded.tail == expected
    assert loaded.last_position == expected[-1][0]


@pytest.mark.asyncio
async def test_pycrdt_updates_replay_to_the_same_document(store: Store) -> None:
    document = unique_document()
    doc: Doc[Any] = Doc()
    text = doc.get("text", type=Text)
    cells = doc.get("cells", type=Map)
    captured: list[bytes] = []
    subscription = doc.observe(lambda event: captured.append(event.update))
    text += "Hyvinvointi"
    text.insert(0, "Sosiaali- ja ")
    cells["kunta"] = "Tampere"
    with doc.transaction():
        del text[0:9]
        cells["idea"] = Text("kotihoito")
    await store.append(pending(document, *captured[:2]))
    await store.append(pending(document, *captured[2:]))
    checkpoint_position = (await store.load(document)).last_position
    await store.save_checkpoint(document, doc.get_update(), checkpoint_position)
    captured.clear()
    text += "!"
    await store.append(pending(document, *captured))
    doc.unobserve(subscription)

    loaded = await store.load(document)
    replica: Doc[Any] = Doc()
    assert type(loaded.checkpoint) is bytes
    replica.apply_update(loaded.checkpoint)
    for _, entry_update in loaded.tail:
        replica.apply_update(entry_update)

    assert len(loaded.tail) == 1
    assert str(replica.get("text", type=Text)) == str(text)
    assert replica.get("cells", type=Map).to_py() == cells.to_py()


@pytest.mark.asyncio
async def test_load_returns_the_latest_checkpoint_and_only_the_entries_after_it(
    store: Store,
) -> None:
    document = unique_document()
    p1, p2, p3 = await store.append(pending(document, b"u1", b"u2", b"u3"))
    await store.save_checkpoint(document, b"state@2", p2)
    p4, p5 = await store.append(pending(document, b"u4", b"u5"))

    loaded = await store.load(document)
    assert loaded.checkpoint == b"state@2"
    assert loaded.checkpoint_position == p2
    assert loaded.tail == [(p3, b"u3"), (p4, b"u4"), (p5, b"u5")]
    assert loaded.last_position == p5

    await store.save_checkpoint(document, b"state@4", p4)
    await store.save_checkpoint(document, b"state@1", p1)  # an older one saved late does not win
    loaded = await store.load(document)
    assert (loaded.checkpoint, loaded.checkpoint_position) == (b"state@4", p4)
    assert loaded.tail == [(p5, b"u5")]

    await store.save_checkpoint(document, b"state@5", p5)
    loaded = await store.load(document)
    assert loaded.tail == []
    assert loaded.last_position == p5


@pytest.mark.asyncio
async def test_a_checkpoint_keeps_the_entries_it_covers(
    store: Store, raw_engine: AsyncEngine
) -> None:
    document = unique_document()
    positions = await store.append(pending(document, b"u1", b"u2", b"u3"))

    await store.save_checkpoint(document, b"state", positions[-1])

    assert await stored_rows(raw_engine, document) == 3


@pytest.mark.asyncio
async def test_a_checkpoint_past_the_documents_last_entry_is_refused(store: Store) -> None:
    document = unique_document()
    (position,) = await store.append(pending(document, b"u1"))

    with pytest.raises(ValueError, match="past the document's last log entry"):
        await store.save_checkpoint(document, b"state", position + 1)
    with pytest.raises(ValueError, match="past the document's last log entry"):
        await store.save_checkpoint(unique_document(), b"state", position)

    assert (await store.load(document)).checkpoint is None


@pytest.mark.asyncio
async def test_a_corrupted_entry_stops_the_load(store: Store, raw_engine: AsyncEngine) -> None:
    document = unique_document()
    _, bad, _ = await store.append(pending(document, b"u1", b"u2", b"u3"))
    async with raw_engine.begin() as conn:
        await conn.execute(update(updates).where(updates.c.position == bad).values(data=b"u?"))

    with pytest.raises(CorruptLogEntry) as raised:
        await store.load(document)

    assert (raised.value.document, raised.value.position) == (document, bad)


@pytest.mark.asyncio
async def test_a_corrupted_checkpoint_stops_the_load_until_saved_again(
    store: Store, raw_engine: AsyncEngine
) -> None:
    document = unique_document()
    (position,) = await store.append(pending(document, b"u1"))
    await store.save_checkpoint(document, b"state", position)
    async with raw_engine.begin() as conn:
        await conn.execute(
            update(checkpoints)
            .where(checkpoints.c.document == document, checkpoints.c.position == position)
            .values(state=b"st?te")
        )

    with pytest.raises(CorruptLogEntry) as raised:
        await store.load(document)
    assert (raised.value.document, raised.value.position) == (document, position)

    await store.save_checkpoint(document, b"state", position)
    assert (await store.load(document)).checkpoint == b"state"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("size", "bad_index"),
    [
        pytest.param(3, 1, id="one-statement"),
        # Past SQLAlchemy's 1000 rows per INSERT: the failing row is in the second statement,
        # so only the transaction can undo the first one.
        pytest.param(1500, 1499, id="two-statements"),
    ],
)
async def test_append_is_all_or_nothing(
    store: Store, raw_engine: AsyncEngine, size: int, bad_index: int
) -> None:
    document = unique_document()
    batch = pending(document, *(f"u{i}".encode() for i in range(size)))
    batch[bad_index] = PendingUpdate("", b"a document name the schema refuses")

    with pytest.raises(IntegrityError):
        await store.append(batch)

    assert await stored_rows(raw_engine, document) == 0
    assert (await store.load(document)).tail == []
    (position,) = await store.append(pending(document, b"after"))
    assert (await store.load(document)).tail == [(position, b"after")]


@pytest.mark.asyncio
async def test_documents_are_isolated(store: Store) -> None:
    first, second = unique_document(), unique_document()
    a1, b1, a2, b2 = await store.append(
        [
            PendingUpdate(first, b"a1"),
            PendingUpdate(second, b"b1"),
            PendingUpdate(first, b"a2"),
            PendingUpdate(second, b"b2"),
        ]
    )
    await store.save_checkpoint(first, b"first-state", a2)

    loaded_first = await store.load(first)
    loaded_second = await store.load(second)

    assert (loaded_first.checkpoint, loaded_first.tail) == (b"first-state", [])
    assert loaded_second.checkpoint is None
    assert loaded_second.tail == [(b1, b"b1"), (b2, b"b2")]
    assert a1 < a2


@pytest.mark.asyncio
async def test_concurrent_opens_all_succeed(database_url: str) -> None:
    """Several processes (or xdist workers) may open one database at once."""
    stores = [create_store(database_url) for _ in range(4)]
    try:
        opened = await asyncio.gather(*(store.open() for store in stores), return_exceptions=True)
        assert opened == [None] * len(stores)
        await asyncio.gather(*(store.ping() for store in stores))
    finally:
        for store in stores:
            await store.close()


@pytest.mark.asyncio
async def test_reopening_keeps_everything(store: Store, database_url: str) -> None:
    document = unique_document()
    p1, p2 = await store.append(pending(document, b"u1", b"u2"))
    await store.save_checkpoint(document, b"state", p1)
    before = await store.load(document)
    await store.close()

    reopened = create_store(database_url)
    await reopened.open()
    try:
        assert await reopened.load(document) == before
        (p3,) = await reopened.append(pending(document, b"u3"))
        assert p3 > p2
    finally:
        await reopened.close()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///verstas.db",
        "postgresql://user@localhost/verstas",
        "postgresql+psycopg://user@localhost/verstas",
        "mysql+aiomysql://user@localhost/verstas",
        "not a database url",
    ],
)
def test_the_factory_rejects_unsupported_urls(url: str) -> None:
    with pytest.raises(ValueError, match=r"supported schemes are sqlite\+aiosqlite, postgresql"):
        create_store(url)


def test_the_factory_does_not_repeat_the_password() -> None:
    with pytest.raises(ValueError, match="unsupported database URL scheme") as raised:
        create_store("postgresql://verstas:s3cret@localhost/verstas")

    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize("url", ["sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"])
def test_the_factory_rejects_an_in_memory_sqlite_database(url: str) -> None:
    with pytest.raises(ValueError, match="in-memory SQLite database"):
        create_store(url)


def test_the_factory_rejects_a_missing_sqlite_directory(tmp_path: Path) -> None:
    missing = tmp_path / "missing" / "verstas.db"

    with pytest.raises(ValueError, match="directory of the SQLite database does not exist"):
        create_store(f"sqlite+aiosqlite:///{missing}")


@pytest.mark.asyncio
async def test_load_upto_a_position_rebuilds_the_document_as_it_stood(store: Store) -> None:
    document = unique_document()
    doc: Doc[Any] = Doc()
    text = doc.get("t", type=Text)
    updates_made: list[bytes] = []
    positions: list[int] = []
    for word in ("yksi", " kaksi", " kolme", " neljä"):
        before = doc.get_state()
        text += word
        updates_made.append(doc.get_update(before))
        positions += await store.append([PendingUpdate(document, updates_made[-1])])
    first_two: Doc[Any] = Doc()
    for update_bytes in updates_made[:2]:
        first_two.apply_update(update_bytes)
    await store.save_checkpoint(document, first_two.get_update(), positions[1])
    for count, expected in enumerate(("yksi", "yksi kaksi", "yksi kaksi kolme"), start=1):
        stored = await store.load(document, upto=positions[count - 1])
        assert stored.last_position == positions[count - 1]
        assert replayed_text(stored) == expected
    assert replayed_text(await store.load(document)) == "yksi kaksi kolme neljä"


def replayed_text(stored: StoredDocument) -> str:
    doc: Doc[Any] = Doc()
    if stored.checkpoint is not None:
        doc.apply_update(stored.checkpoint)
    for _, entry_update in stored.tail:
        doc.apply_update(entry_update)
    return str(doc.get("t", type=Text))


@pytest.mark.asyncio
async def test_entries_after_reads_the_log_past_a_position(store: Store) -> None:
    document, other = unique_document(), unique_document()
    first = await store.append(pending(document, b"a", b"b"))
    await store.append(pending(other, b"x"))
    later = await store.append(pending(document, b"c"))
    await store.save_checkpoint(document, b"state", later[0])
    # A checkpoint does not hide the entries a catch-up asks for.
    entries = await store.entries_after(document, first[0])
    assert entries == [(first[1], b"b"), (later[0], b"c")]
    assert await store.entries_after(document, later[0]) == []
    assert [update for _, update in await store.entries_after(document, 0)] == [b"a", b"b", b"c"]


@pytest.mark.asyncio
async def test_entries_after_verifies_checksums(store: Store, raw_engine: AsyncEngine) -> None:
    document = unique_document()
    positions = await store.append(pending(document, b"good", b"bad"))
    async with raw_engine.begin() as conn:
        await conn.execute(
            update(updates).where(updates.c.position == positions[1]).values(data=b"evil")
        )
    with pytest.raises(CorruptLogEntry):
        await store.entries_after(document, positions[0])
