"""The family side by side (`GET /api/workshops/{id}/family/content`): timings, not a test.

    .venv/bin/python -m tests.bench.family_bench [--members 200] [--repeat 20]
        [--databases sqlite,postgresql] [--postgres URL]

Builds a family in a fresh database: a root whose 24 matrix cells hold about 300 characters
each, and `members - 1` adoptions of it (every fifth of a fork, so there are forks of forks),
each made through the real `fork` and then typed into: three cells rewritten, a keystroke per
logged update, as a browser sends them. Then times the comparison of all members in the 24
matrix cells as the API answers it (read from the store, marked, encoded): read afresh, as the
first request after the members changed does, and with each member's cells kept by this node,
as the next requests find them. Prints median and p95; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from documents.access import DocumentKind, document_name
from documents.family_compare import FIXED_CELLS
from documents.family_graph import FamilyGraphs, encode
from documents.family_service import KeptCells, compare
from documents.lineage_service import fork
from documents.records import WorkshopRecord
from documents.store.base import Store
from documents.store.factory import create_store
from documents.store.log import PendingUpdate, replay
from documents.store.migrate import upgrade
from documents.workshop_doc import load_document, seed_update, text_at
from documents.workshop_service import create_workshop, stored_snapshot
from tests.bench.lineage_bench import Figure, fresh_database, load_average

POSTGRES_URL = os.environ.get(
    "VERSTAS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
CELLS = FIXED_CELLS["matrix"]
# ASCII: pycrdt indexes texts in UTF-8 bytes.
CELL_TEXT = "Kotihoidon asiakas ja omainen tietavat, kenelle soittaa yolla. " * 5
REWRITTEN_PER_FORK = 3
FORK_OF_FORK_EVERY = 5


def filled_root_state() -> bytes:
    doc = load_document(DocumentKind.CONTENT, seed_update(DocumentKind.CONTENT))
    for cell in CELLS:
        text_at(doc, cell).insert(0, CELL_TEXT)
    return doc.get_update()


async def rewrite(store: Store, workshop_id: str, cells: list[str], words: str) -> None:
    """A person rewriting the start of each cell, one logged update per keystroke."""
    name = document_name(workshop_id, DocumentKind.CONTENT)
    doc = load_document(DocumentKind.CONTENT, replay(await store.load(name)).get_update())
    updates = []
    for cell in cells:
        text = text_at(doc, cell)
        before = doc.get_state()
        del text[0:10]
        updates.append(PendingUpdate(name, doc.get_update(before)))
        for index, character in enumerate(words):
            before = doc.get_state()
            text.insert(index, character)
            updates.append(PendingUpdate(name, doc.get_update(before)))
    await store.append(updates)


async def build_family(store: Store, members: int) -> WorkshopRecord:
    states = {DocumentKind.CONTENT: filled_root_state()}
    root, _ = await create_workshop(
        store.workshops, {"title": "Juuri", "organisation": "Pielavesi"}, states
    )
    rng = random.Random(17)
    family = [root]
    snapshot = partial(stored_snapshot, store)
    for n in range(members - 1):
        parent = rng.choice(family) if n % FORK_OF_FORK_EVERY == 0 else root
        child, _ = await fork(
            store, snapshot, parent, organisation=f"Kunta {n}", reason="Sopii", forked_by=None
        )
        await rewrite(store, child.id, rng.sample(CELLS, REWRITTEN_PER_FORK), f"Kunta {n}: ")
        family.append(child)
    return root


async def timed(label: str, action: Callable[[], Awaitable[Any]], repeat: int) -> Figure:
    """Wall-clock median and p95 (what a reader waits), and the median CPU time of this
    process (what the server's own work costs, whatever else runs on the machine; on
    PostgreSQL the database's share is not in it)."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        await action()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    walls.sort()
    figure = Figure(label, statistics.median(walls), walls[min(repeat - 1, int(repeat * 0.95))])
    print(
        f"  {label:<58} p50 {figure.median:8.2f} ms  p95 {figure.p95:8.2f} ms  "
        f"CPU p50 {statistics.median(cpus):8.2f} ms",
        flush=True,
    )
    return figure


async def figures(kind: str, url: str, args: argparse.Namespace) -> list[Figure]:
    await upgrade(url, lambda _line: None)
    store = create_store(url)
    await store.open()
    try:
        print(f"{kind}: building a family of {args.members} ({load_average()})", flush=True)
        root = await build_family(store, args.members)
        graphs = FamilyGraphs()
        kept = KeptCells()
        # The default is the root and its direct adoptions; the bench asks for everyone.
        await compare(store, graphs, kept, root, None, ["matrix"])
        _, version = await store.lineage.family_head(root.id)
        graph = graphs.get(root.id, version)
        assert graph is not None
        everyone = list(graph.statuses)

        async def answer(cells: KeptCells) -> bytes:
            found = await compare(store, graphs, cells, root, everyone, ["matrix"])
            return encode(found.to_json())

        size = len(await answer(kept))
        print(f"  the answer: {size / 1024:.0f} KiB", flush=True)
        return [
            await timed(
                f"{kind}: {args.members} members x {len(CELLS)} cells, read afresh",
                lambda: answer(KeptCells()),
                args.repeat,
            ),
            await timed(
                f"{kind}: {args.members} members x {len(CELLS)} cells, kept by the node",
                lambda: answer(kept),
                args.repeat,
            ),
        ]
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=POSTGRES_URL)
    args = parser.parse_args()
    results: list[Figure] = []
    for kind in args.databases.split(","):
        async with fresh_database(kind, args.postgres) as url:
            results += await figures(kind, url, args)
    print("\nsummary (ms)")
    for figure in results:
        print(f"  {figure.label:<62} p50 {figure.median:8.2f}   p95 {figure.p95:8.2f}")


if __name__ == "__main__":
    asyncio.run(main())
