"""The cyclic garbage collector's settings for a long-running server, set once startup is done.

Why: connecting 10,000 clients (tests/bench, capacity) spent a fifth of its CPU in full
collections. Each connection keeps ~30 objects the collector tracks (its protocol, session,
rate buckets, timer, the transport's own), and with CPython's defaults a full collection is
considered every 70,000 net allocations and runs whenever the objects that survived since the
last one passed a quarter of those it kept then: five to six full collections per 10,000
connections, each walking every object of the process, the ~190,000 that imports and startup
made (SQLAlchemy, pycrdt, starlette...) included: 65 µs of CPU per connection.

- Startup's objects are frozen: they live as long as the process, so no collection needs to
  walk them (`gc.freeze`, meant for this).
- A full collection is considered every 210,000 net allocations instead of every 70,000 (the
  third threshold, 10 -> 30 collections of the middle generation). The quarter rule still
  applies, young collections run as often as before, and garbage in cycles that lived long
  enough to reach the oldest generation (a connection's objects, after it closes) is freed at
  the next full collection, now further apart.

Measured on the capacity bench (10,000 clients over 500 rooms, three rounds of connecting and
leaving): with startup's objects frozen, spacing full collections 10x (a threshold of 100)
took them out of the connect phase but left garbage waiting: the server's RSS after each round
went 163 / 166 / 179 MiB (levelling off at ~180 over seven rounds), where a threshold of 30
kept it flat (161 / 162 / 162) at the same CPU per connection (201-227 µs against 210-225), so
30 it is. Fan-out is unchanged.
"""

from __future__ import annotations

import gc

FULL_COLLECTION_EVERY = 30  # collections of the middle generation (CPython's default: 10)


def settle_after_startup() -> None:
    """Freeze what startup made and space out full collections (see the module docstring)."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
