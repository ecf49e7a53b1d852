"""The awareness states of one room, kept by the server so late joiners see everyone at once.

The rules are those of y-protocols' awareness.js: a newer clock wins, and at an equal clock a
removal wins. Removed clients keep their clock, so a stale state arriving late cannot bring them
back. States stay JSON text: the server relays them and never needs their content here.
"""

from __future__ import annotations

from collections.abc import Iterable

from collab.protocol import AwarenessEntry

_REMOVED = "null"


class AwarenessRegistry:
    """Clock and state per client id, for one room."""

    __slots__ = ("_states",)

    def __init__(self) -> None:
        self._states: dict[int, AwarenessEntry] = {}

    def apply(self, entries: Iterable[AwarenessEntry]) -> list[AwarenessEntry]:
        """Record the entries that win against what is known; return those that did."""
        accepted: list[AwarenessEntry] = []
        for entry in entries:
            known = self._states.get(entry.client_id)
            if (
                known is None
                or entry.clock > known.clock
                or (entry.clock == known.clock and entry.removed and not known.removed)
            ):
                self._states[entry.client_id] = entry
                accepted.append(entry)
        return accepted

    def present(self) -> list[AwarenessEntry]:
        """Every client currently present (what a newcomer must be told)."""
        return [entry for entry in self._states.values() if not entry.removed]

    def remove(self, client_ids: Iterable[int]) -> list[AwarenessEntry]:
        """Mark the clients gone and return the removal entries to broadcast."""
        removals: list[AwarenessEntry] = []
        for client_id in client_ids:
            known = self._states.get(client_id)
            if known is None or known.removed:
                continue
            removal = AwarenessEntry(client_id, known.clock + 1, _REMOVED)
            self._states[client_id] = removal
            removals.append(removal)
        return removals
