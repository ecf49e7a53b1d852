"""When to fold a document's update log into a checkpoint: a pure policy.

A checkpoint costs one full-state write; a long tail costs every later load a replay. The
policy keeps the tail short for busy documents (entry and byte bounds) and folds quiet ones
once they have collected enough to be worth a write.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    max_entries: int = 1000
    max_bytes: int = 1 << 20
    idle_seconds: float = 30.0
    min_idle_entries: int = 50


@dataclass(frozen=True, slots=True)
class LogTail:
    """What a document has logged since its latest checkpoint."""

    entries: int
    bytes: int
    idle_seconds: float


def should_checkpoint(policy: CheckpointPolicy, tail: LogTail) -> bool:
    """True when the tail is long enough, or quiet and long enough, to fold."""
    if tail.entries == 0:
        return False
    if tail.entries >= policy.max_entries or tail.bytes >= policy.max_bytes:
        return True
    return tail.idle_seconds >= policy.idle_seconds and tail.entries >= policy.min_idle_entries
