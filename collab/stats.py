"""Counters of the collaboration side, kept as plain integers on the hot path.

Incrementing an attribute costs a few nanoseconds; a Prometheus client counter takes a lock.
The metrics endpoint reads these at scrape time instead.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(slots=True)
class CollabStats:
    connections_open: int = 0
    connections_total: int = 0
    messages_in: int = 0
    bytes_in: int = 0
    frames_out: int = 0
    bytes_out: int = 0
    updates_applied: int = 0
    updates_remote: int = 0  # updates other processes committed, from the bus or the log
    duplicates: int = 0  # updates that repeated what the document had: not logged, not relayed
    refused: Counter[str] = field(default_factory=Counter)
