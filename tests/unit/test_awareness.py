"""The awareness registry follows y-protocols' rules for clocks and removals."""

from __future__ import annotations

from collab.awareness import AwarenessRegistry
from collab.protocol import AwarenessEntry


def test_newer_clock_wins_and_older_is_ignored() -> None:
    registry = AwarenessRegistry()
    assert registry.apply([AwarenessEntry(1, 2, '{"a":1}')]) == [AwarenessEntry(1, 2, '{"a":1}')]
    assert registry.apply([AwarenessEntry(1, 1, '{"a":0}')]) == []
    assert registry.apply([AwarenessEntry(1, 3, '{"a":2}')]) == [AwarenessEntry(1, 3, '{"a":2}')]
    assert registry.present() == [AwarenessEntry(1, 3, '{"a":2}')]


def test_removal_at_equal_clock_wins() -> None:
    registry = AwarenessRegistry()
    registry.apply([AwarenessEntry(1, 4, "{}")])
    assert registry.apply([AwarenessEntry(1, 4, "null")]) == [AwarenessEntry(1, 4, "null")]
    assert registry.present() == []


def test_remove_bumps_the_clock_so_clients_accept_it() -> None:
    registry = AwarenessRegistry()
    registry.apply([AwarenessEntry(1, 4, "{}"), AwarenessEntry(2, 9, "{}")])
    assert registry.remove([1, 3]) == [AwarenessEntry(1, 5, "null")]
    assert registry.present() == [AwarenessEntry(2, 9, "{}")]
    assert registry.remove([1]) == []


def test_a_stale_state_cannot_revive_a_removed_client() -> None:
    registry = AwarenessRegistry()
    registry.apply([AwarenessEntry(1, 4, "{}")])
    registry.remove([1])
    assert registry.apply([AwarenessEntry(1, 5, '{"late":true}')]) == []
    assert registry.present() == []
