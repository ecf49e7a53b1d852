"""Lineage and fork timings on SQLite (and PostgreSQL with --postgres): not a test.

    .venv/bin/python -m tests.bench.lineage_bench [--forks 10000] [--edits 10000] [--postgres URL]

Builds a family of N forks (a root, a chain of generations and wide fan-outs, as adoption
spreads), then times the lineage queries and a fork of a workshop with K logged edits. Prints
median and p95 over repeated runs. The issue's targets: lineage of a 10,000-fork family under
50 ms, forking a 10k-edit workshop under 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pycrdt import Doc, Text, get_state

from documents.access import DocumentKind, document_name
from documents.lineage_service import fork, lineage
from documents.store import PendingUpdate, Store, create_store
from documents.store.lineage import ForkEdge, fork_row
from documents.store.migrate import upgrade
from documents.store.workshops import new_id, utc_now
from documents.workshop_doc import seed_update
from documents.workshop_service import create_workshop, stored_state


async def timed(label: str, action: Callable[[], Awaitable[Any]], repeat: int) -> None:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"{label:<58} median {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms")


async def build_family(store: Store, forks: int) -> tuple[str, str]:
    """A root and `forks` descendants: each new fork picks a random earlier member as parent."""
    root, _ = await create_workshop(store.workshops, {"title": "Juuri", "organisation": "A"})
    members = [root.id]
    rng = random.Random(7)
    state = seed_update(DocumentKind.CONTENT)
    vector = get_state(state)
    for n in range(forks):
        parent = rng.choice(members)
        child = new_id()
        edge = ForkEdge(
            child, parent, None, 1, vector, f"Kunta {n}", "Sopii meille", None, utc_now()
        )
        seeds = [
            PendingUpdate(document_name(child, kind), seed_update(kind)) for kind in DocumentKind
        ]
        await store.workshops.create(
            {"title": "Juuri", "organisation": f"Kunta {n}"},
            seeds,
            workshop_id=child,
            fork=fork_row(edge),
        )
        members.append(child)
        if n % 1000 == 999:
            print(f"  {n + 1} forks created", flush=True)
    return root.id, members[-1]


async def logged_edits(store: Store, edits: int) -> str:
    workshop, _ = await create_workshop(store.workshops, {"title": "Iso", "organisation": "B"})
    name = document_name(workshop.id, DocumentKind.CONTENT)
    doc: Doc[Any] = Doc()
    text = doc.get("t", type=Text)
    batch = []
    for n in range(edits):
        before = doc.get_state()
        text.insert(len(text), f"{n % 10}")
        batch.append(PendingUpdate(name, doc.get_update(before)))
        if len(batch) == 500:
            await store.append(batch)
            batch = []
    if batch:
        await store.append(batch)
    return workshop.id


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--forks", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres", help="postgresql+asyncpg://... instead of a temp SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.postgres or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await upgrade(url, print)
        store = create_store(url)
        await store.open()

        async def snapshot(name: str) -> tuple[bytes, int]:
            stored = await store.load(name)
            return await stored_state(store, name), stored.last_position

        try:
            print(f"database: {url.split('://')[0]}; building {args.forks} forks ...", flush=True)
            root_id, leaf_id = await build_family(store, args.forks)
            root = await store.workshops.get(root_id)
            assert root is not None
            await timed(
                f"descendants of the root ({args.forks} edges, recursive query)",
                lambda: store.lineage.descendants(root_id),
                args.repeat,
            )
            await timed(
                "ancestors of the newest fork (recursive query)",
                lambda: store.lineage.ancestors(leaf_id),
                args.repeat,
            )

            async def graph() -> None:
                edges = await store.lineage.descendants(root_id)
                await store.workshops.many([root_id, *(e.child_id for e in edges)])

            await timed("whole family as nodes and edges (2 queries)", graph, args.repeat)
            await timed(
                "GET lineage of the root (incl. divergence of 200 forks)",
                lambda: lineage(store, snapshot, root),
                max(1, args.repeat // 10),
            )
            print(f"logging {args.edits} edits ...", flush=True)
            big_id = await logged_edits(store, args.edits)
            big = await store.workshops.get(big_id)
            assert big is not None
            await timed(
                f"fork a workshop of {args.edits} logged edits (load, replay, insert)",
                lambda: fork(store, snapshot, big, organisation="C", reason="x", forked_by=None),
                args.repeat,
            )
            await store.save_checkpoint(
                document_name(big_id, DocumentKind.CONTENT),
                (await snapshot(document_name(big_id, DocumentKind.CONTENT)))[0],
                (await store.load(document_name(big_id, DocumentKind.CONTENT))).last_position,
            )
            await timed(
                "fork the same workshop after a checkpoint",
                lambda: fork(store, snapshot, big, organisation="C", reason="x", forked_by=None),
                args.repeat,
            )
        finally:
            await store.close()


if __name__ == "__main__":
    asyncio.run(main())
