"""The deleted-clocks set against a plain Python set of clocks."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from collab.intervals import Intervals

RUNS = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8)), max_size=25)


@given(RUNS, st.integers(0, 70), st.integers(0, 10))
def test_matches_a_set_of_clocks(runs: list[tuple[int, int]], start: int, length: int) -> None:
    intervals, clocks = Intervals(), set[int]()
    for first, size in runs:
        intervals.add(first, first + size)
        clocks.update(range(first, first + size))
    end = start + length
    assert [c for c in range(75) if intervals.contains(c)] == sorted(clocks)
    assert intervals.covers(start, end) == all(c in clocks for c in range(start, end))
    gaps = intervals.gaps(start, end)
    assert [c for low, high in gaps for c in range(low, high)] == [
        c for c in range(start, end) if c not in clocks
    ]
    assert all(high < low_next for (_, high), (low_next, _) in itertools.pairwise(gaps))
