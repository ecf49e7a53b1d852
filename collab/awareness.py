"""The awareness states of one room, kept by the server so late joiners see everyone at once.

The merge rules are those of y-protocols' awareness.js: a newer clock wins, and at an equal
clock a removal wins. Removed clients keep their clock, so a stale state arriving late cannot
bring them back. States stay JSON text: the server relays them and never needs their content.

Each client id belongs to the connection that introduced it, and only that connection may
change or remove it, so no one can pose as another participant or make them vanish. An owner
that has said nothing about an id for `OUTDATED_AFTER` seconds (the timeout after which Yjs
clients themselves drop a state; live clients renew every 15 s) loses it to the next claimant:
that is how a client that reconnected over a new socket gets its id back before the server has
noticed that the old socket died.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from collab.protocol import AwarenessEntry

Owner = TypeVar("Owner")

OUTDATED_AFTER = 30.0
_REMOVED = "null"


class AwarenessRegistry(Generic[Owner]):
    """Clock, state and owning connection per client id, for one room."""

    __slots__ = ("_heard", "_max_ids", "_owned", "_owners", "_states")

    def __init__(self, max_ids_per_owner: int) -> None:
        self._max_ids = max_ids_per_owner
        self._states: dict[int, AwarenessEntry] = {}
        self._owners: dict[int, Owner] = {}
        self._owned: dict[Owner, set[int]] = {}
        self._heard: dict[int, float] = {}

    def apply(
        self, owner: Owner, entries: Iterable[AwarenessEntry], now: float, *, limited: bool = True
    ) -> tuple[list[AwarenessEntry], int]:
        """Record what `owner` may say and what wins; return (accepted, refused count).

        `limited=False` lifts the cap on ids per owner, for another server process speaking
        for all of its connections (it applied the cap to each of them already)."""
        accepted: list[AwarenessEntry] = []
        refused = 0
        for entry in entries:
            client_id = entry.client_id
            if not self._may_speak(owner, client_id, now, limited):
                refused += 1
                continue
            known = self._states.get(client_id)
            if (
                known is None
                or entry.clock > known.clock
                or (entry.clock == known.clock and entry.removed and not known.removed)
            ):
                self._states[client_id] = entry
                accepted.append(entry)
            if entry.removed:
                self._release(client_id)
            else:
                self._heard[client_id] = now
        return accepted, refused

    def _may_speak(self, owner: Owner, client_id: int, now: float, limited: bool) -> bool:
        current = self._owners.get(client_id)
        if current == owner:
            return True
        if current is not None:
            if now - self._heard.get(client_id, now) < OUTDATED_AFTER:
                return False
            self._release(client_id)
        owned = self._owned.setdefault(owner, set())
        if limited and len(owned) >= self._max_ids:
            return False
        owned.add(client_id)
        self._owners[client_id] = owner
        self._heard[client_id] = now
        return True

    def _release(self, client_id: int) -> None:
        owner = self._owners.pop(client_id, None)
        self._heard.pop(client_id, None)
        if owner is not None:
            owned = self._owned.get(owner)
            if owned is not None:
                owned.discard(client_id)
                if not owned:
                    del self._owned[owner]

    def present(self, now: float) -> list[AwarenessEntry]:
        """Every client currently present (what a newcomer must be told). A state its owner
        has not renewed for `OUTDATED_AFTER` seconds is left out, as clients drop it too: its
        owner is gone without a goodbye (another server process that died, say)."""
        heard = self._heard
        return [
            entry
            for client_id, entry in self._states.items()
            if not entry.removed and now - heard.get(client_id, now) < OUTDATED_AFTER
        ]

    def release(self, owner: Owner) -> list[AwarenessEntry]:
        """The owner left: mark its clients gone and return the removals to broadcast."""
        removals: list[AwarenessEntry] = []
        for client_id in sorted(self._owned.get(owner, ())):
            known = self._states.get(client_id)
            if known is not None and not known.removed:
                removal = AwarenessEntry(client_id, known.clock + 1, _REMOVED)
                self._states[client_id] = removal
                removals.append(removal)
            self._release(client_id)
        return removals
