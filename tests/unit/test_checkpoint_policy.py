"""When the log is folded into a checkpoint."""

from __future__ import annotations

import pytest

from documents.checkpoints import CheckpointPolicy, LogTail, should_checkpoint

POLICY = CheckpointPolicy(max_entries=100, max_bytes=1000, idle_seconds=10, min_idle_entries=5)


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        (LogTail(0, 0, 1e9), False),
        (LogTail(100, 10, 0), True),
        (LogTail(99, 10, 0), False),
        (LogTail(2, 1000, 0), True),
        (LogTail(5, 10, 10), True),
        (LogTail(4, 10, 1e9), False),
        (LogTail(50, 10, 9.9), False),
    ],
)
def test_policy(tail: LogTail, expected: bool) -> None:
    assert should_checkpoint(POLICY, tail) is expected
