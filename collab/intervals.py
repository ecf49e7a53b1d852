"""A set of integer clocks kept as sorted, disjoint, non-adjacent [start, end) runs."""

from __future__ import annotations

from bisect import bisect_left, bisect_right


class Intervals:
    """Which clocks of one client are deleted; adding a run merges it with its neighbours."""

    __slots__ = ("_ends", "_starts")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        starts, ends = self._starts, self._ends
        if not starts or start > ends[-1]:  # the usual case: past everything so far
            starts.append(start)
            ends.append(end)
            return
        first = bisect_left(ends, start)  # the first run ending at or after `start`
        last = bisect_right(starts, end)  # one past the last run starting at or before `end`
        if first < last:
            start = min(start, starts[first])
            end = max(end, ends[last - 1])
        starts[first:last] = [start]
        ends[first:last] = [end]

    def contains(self, clock: int) -> bool:
        position = bisect_right(self._starts, clock) - 1
        return position >= 0 and clock < self._ends[position]

    def covers(self, start: int, end: int) -> bool:
        """Whether every clock of [start, end) is in the set."""
        if start >= end:
            return True
        position = bisect_right(self._starts, start) - 1
        return position >= 0 and end <= self._ends[position]

    def gaps(self, start: int, end: int) -> list[tuple[int, int]]:
        """The parts of [start, end) that are not in the set, in order."""
        found = []
        position = max(bisect_right(self._starts, start) - 1, 0)
        starts, ends = self._starts, self._ends
        while start < end and position < len(starts) and starts[position] < end:
            if ends[position] > start:
                if starts[position] > start:
                    found.append((start, starts[position]))
                start = ends[position]
            position += 1
        if start < end:
            found.append((start, end))
        return found
