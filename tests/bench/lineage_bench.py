"""Lineage and fork timings on SQLite and PostgreSQL: not a test.

    .venv/bin/python -m tests.bench.lineage_bench [--forks 10000] [--edits 10000]
        [--databases sqlite,postgresql] [--postgres URL] [--repeat 20] [--slow-repeat 5]

Builds a family of N forks in a fresh database (each new fork adopts a random earlier member,
through the real `fork`; every fourth fork then types a few words into a cell), then times the
lineage queries and answers, and forking a workshop with K logged edits. Prints median and p95
over repeated runs, per database, and a summary table of both. The issue's targets: lineage of
a 10,000-fork family under 50 ms, forking a 10k-edit workshop under 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from documents.access import DocumentKind, document_name
from documents.checkpoints import CheckpointPolicy
from documents.family_graph import FamilyGraphs
from documents.lineage_service import fork, lineage
from documents.records import WorkshopRecord, new_id
from documents.store.base import Store
from documents.store.factory import create_store
from documents.store.log import PendingUpdate, replay, snapshot
from documents.store.migrate import upgrade
from documents.store.tables import checkpoints
from documents.workshop_doc import load_document, text_at
from documents.workshop_service import Snapshot, create_workshop, stored_snapshot

POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
CELL = "model/core_idea"
EDITED_EVERY = 4  # every fourth fork types into a cell after it is made
EDIT_TEXT = "Yopartio kahdella hoitajalla"  # ASCII: pycrdt indexes texts in UTF-8 bytes


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    median: float
    p95: float


async def timed(
    label: str,
    action: Callable[[], Awaitable[Any]],
    repeat: int,
    setup: Callable[[], Awaitable[Any]] | None = None,
) -> Figure:
    """`action` run `repeat` times, each after `setup` (not timed), if given."""
    samples = []
    for _ in range(repeat):
        if setup is not None:
            await setup()
        start = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    figure = Figure(
        label,
        statistics.median(samples),
        samples[min(len(samples) - 1, int(len(samples) * 0.95))],
    )
    print(f"  {label:<62} median {figure.median:8.2f} ms   p95 {figure.p95:8.2f} ms", flush=True)
    return figure


def load_average() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


@contextlib.asynccontextmanager
async def fresh_database(kind: str, postgres_url: str) -> AsyncIterator[str]:
    """A new, empty database of this kind, removed afterwards. On PostgreSQL it is a database
    of the bench's own on the given server: the shared one is never written to."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"verstas_bench_{new_id()}"
    admin = create_async_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f"CREATE DATABASE {name}"))
        try:
            yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    finally:
        await admin.dispose()


async def type_into(store: Store, workshop_id: str, words: str) -> None:
    """A client typing `words` at the start of a cell, one committed update per keystroke."""
    name = document_name(workshop_id, DocumentKind.CONTENT)
    doc = load_document(DocumentKind.CONTENT, replay(await store.load(name)).get_update())
    cell = text_at(doc, CELL)
    updates = []
    for index, character in enumerate(words):
        before = doc.get_state()
        cell.insert(index, character)
        updates.append(PendingUpdate(name, doc.get_update(before)))
    await store.append(updates)


async def build_family(store: Store, forks: int) -> tuple[WorkshopRecord, WorkshopRecord]:
    """A root and `forks` descendants; returns the root and the newest fork."""
    root, _ = await create_workshop(store.workshops, {"title": "Juuri", "organisation": "A"})
    await type_into(store, root.id, EDIT_TEXT)
    members = [root]
    rng = random.Random(7)
    snapshot = partial(stored_snapshot, store)
    for n in range(forks):
        child, _ = await fork(
            store,
            snapshot,
            rng.choice(members),
            organisation=f"Kunta {n}",
            reason="Sopii meille",
            forked_by=None,
        )
        if n % EDITED_EVERY == 0:
            await type_into(store, child.id, f"{n} ")
        members.append(child)
        if n % 1000 == 999:
            print(f"  {n + 1} forks created", flush=True)
    return root, members[-1]


async def logged_edits(store: Store, edits: int) -> WorkshopRecord:
    """A workshop whose content log holds its seed and `edits` keystrokes, no checkpoint."""
    workshop, _ = await create_workshop(store.workshops, {"title": "Iso", "organisation": "B"})
    name = document_name(workshop.id, DocumentKind.CONTENT)
    doc = load_document(DocumentKind.CONTENT, replay(await store.load(name)).get_update())
    cell = text_at(doc, CELL)
    batch = []
    for n in range(edits):
        before = doc.get_state()
        cell.insert(len(cell), f"{n % 10}")
        batch.append(PendingUpdate(name, doc.get_update(before)))
        if len(batch) == 500:
            await store.append(batch)
            batch = []
    if batch:
        await store.append(batch)
    return workshop


async def lineage_figures(
    store: Store, args: argparse.Namespace, root: WorkshopRecord, leaf: WorkshopRecord
) -> list[Figure]:
    """The answers as the API sends them (`Lineage.to_json`): with the family's graph (and the
    forks' counts of changed cells) kept by this node, as every request but the first after a
    change finds them, and built afresh."""
    snapshot = partial(stored_snapshot, store)
    edges = args.forks
    graphs = FamilyGraphs()

    async def answer(workshop: WorkshopRecord, kept: FamilyGraphs) -> bytes:
        return (await lineage(store, snapshot, workshop, kept)).to_json()

    await answer(leaf, graphs)
    return [
        await timed(
            f"family query: the root's {edges} edges with their nodes",
            lambda: store.lineage.family(root.id),
            args.repeat,
        ),
        await timed(
            "family head (root and graph version) of the newest fork",
            lambda: store.lineage.family_head(leaf.id),
            args.repeat,
        ),
        await timed(
            "GET lineage of the newest fork (family graph, nothing in use)",
            lambda: answer(leaf, graphs),
            args.repeat,
        ),
        await timed(
            "  the same, the graph built afresh (first after a change)",
            lambda: answer(leaf, FamilyGraphs()),
            args.repeat,
        ),
        await timed(
            "GET lineage of the root (all in use, divergence of 200)",
            lambda: answer(root, graphs),
            args.slow_repeat,
        ),
        await timed(
            "  the same, the graph built and the divergence counted afresh",
            lambda: answer(root, FamilyGraphs()),
            args.slow_repeat,
        ),
    ]


async def fork_figures(store: Store, url: str, args: argparse.Namespace) -> list[Figure]:
    print(f"  logging {args.edits} edits ...", flush=True)
    big = await logged_edits(store, args.edits)
    name = document_name(big.id, DocumentKind.CONTENT)
    from_store = partial(stored_snapshot, store)
    stored = await store.load(name)
    loaded, position = replay(stored), stored.last_position

    folds: set[asyncio.Task[None]] = set()

    def spawn(work: Coroutine[Any, Any, None]) -> None:
        fold = asyncio.ensure_future(work)
        folds.add(fold)
        fold.add_done_callback(folds.discard)

    async def as_the_server(document: str) -> tuple[bytes, int]:
        """`collab.rooms.Rooms.snapshot` of a document no room holds: the fold is written
        beside the fork's rows (a task the rooms track), after the answer's clock stops."""
        return await snapshot(store, document, CheckpointPolicy(), spawn=spawn)

    async def unfolded() -> None:
        """The document as a crash left it: the checkpoint the previous fork's read wrote
        (documents.store.log.snapshot) is removed, so every run forks the whole tail."""
        await asyncio.gather(*folds)
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(delete(checkpoints).where(checkpoints.c.document == name))
        finally:
            await engine.dispose()

    async def from_memory(_: str) -> tuple[bytes, int]:
        """A loaded room's snapshot: the state of its document in memory."""
        return loaded.get_update(), position

    def fork_with(snapshot: Snapshot) -> Callable[[], Awaitable[Any]]:
        return lambda: fork(store, snapshot, big, organisation="C", reason="x", forked_by=None)

    figures = [
        await timed(
            f"fork a workshop of {args.edits} logged edits, no checkpoint",
            fork_with(as_the_server),
            args.repeat,
            setup=unfolded,
        ),
        await timed(
            "  the same through the CLI (the fold written before the fork)",
            fork_with(from_store),
            args.repeat,
            setup=unfolded,
        ),
        await timed(
            "  the same, its room loaded (state from memory)", fork_with(from_memory), args.repeat
        ),
    ]
    await store.save_checkpoint(name, loaded.get_update(), position)
    figures.append(
        await timed(
            "  the same, after a checkpoint (as the fork before wrote one)",
            fork_with(from_store),
            args.repeat,
        )
    )
    return figures


async def analyze(url: str) -> None:
    """Give PostgreSQL's planner the statistics its autovacuum would have gathered by now.

    The machine's server runs with autovacuum off, so a freshly built family had none: the
    planner took the 10,000-row family for a handful of rows and joined it row by row
    (nested loop) instead of hashing, nearly doubling the family query."""
    if make_url(url).get_backend_name() != "postgresql":
        return
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


async def run(url: str, args: argparse.Namespace) -> list[Figure]:
    await upgrade(url, lambda _line: None)
    store = create_store(url)
    await store.open()
    try:
        print(f"  building {args.forks} forks ...", flush=True)
        root, leaf = await build_family(store, args.forks)
        await analyze(url)
        return [
            *await lineage_figures(store, args, root, leaf),
            *await fork_figures(store, url, args),
        ]
    finally:
        await store.close()


def summary(results: dict[str, list[Figure]]) -> None:
    kinds = list(results)
    print("\n" + " " * 64 + "".join(f"{kind + ' p50/p95 ms':>24}" for kind in kinds))
    for figures in zip(*results.values(), strict=True):
        cells = "".join(f"{f.median:>15.1f} {f.p95:>8.1f}" for f in figures)
        print(f"{figures[0].label:<64}{cells}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--forks", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each fast figure")
    parser.add_argument("--slow-repeat", type=int, default=5, help="runs of the full answers")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=POSTGRES_URL, help="a server to create a database on")
    args = parser.parse_args()
    results: dict[str, list[Figure]] = {}
    for kind in args.databases.split(","):
        print(f"{kind} ({load_average()})", flush=True)
        async with fresh_database(kind, args.postgres) as url:
            results[kind] = await run(url, args)
        print(f"  done ({load_average()})", flush=True)
    summary(results)


if __name__ == "__main__":
    asyncio.run(main())
