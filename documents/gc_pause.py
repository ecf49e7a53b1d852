"""Pausing the cyclic garbage collector while a big answer is read and built.

Reading a 10,000-fork family and building its graph allocates some 40,000 objects the
collector tracks (the driver's rows, the nodes' and edges' dicts), nearly all of them freed by
their reference counts once the answer is encoded. While they live, the collector runs every
700 allocations and moves them up its generations, which set off a full collection of the
whole process (~30 ms) every third build: the lineage of a 10,000-fork family built afresh on
PostgreSQL took a median of 46-49 ms and a p95 of 81-89, and 44-46 and 55-58 with the
collector paused (four runs of 40 each, alternated). Nothing that lives through the pause is
lost: the collector sees it at its next run.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


class _Pauses:
    """How many pauses are open (they may overlap, across awaits), and whether the collector
    ran before the first of them."""

    open = 0
    resume = False


@contextlib.contextmanager
def collections_paused() -> Iterator[None]:
    """No automatic collection until the last overlapping pause ends; then as before (a
    process that had the collector off keeps it off)."""
    if _Pauses.open == 0:
        _Pauses.resume = gc.isenabled()
        gc.disable()
    _Pauses.open += 1
    try:
        yield
    finally:
        _Pauses.open -= 1
        if _Pauses.open == 0 and _Pauses.resume:
            gc.enable()
