"""The awareness registry: y-protocols' merge rules, and who may speak for which client id."""

from __future__ import annotations

from collab.awareness import OUTDATED_AFTER, AwarenessRegistry
from collab.protocol import AwarenessEntry


def registry(max_ids: int = 4) -> AwarenessRegistry[str]:
    return AwarenessRegistry(max_ids)


def test_newer_clock_wins_and_older_is_ignored() -> None:
    reg = registry()
    assert reg.apply("a", [AwarenessEntry(1, 2, '{"a":1}')], 0) == (
        [AwarenessEntry(1, 2, '{"a":1}')],
        0,
    )
    assert reg.apply("a", [AwarenessEntry(1, 1, '{"a":0}')], 0) == ([], 0)
    assert reg.apply("a", [AwarenessEntry(1, 3, '{"a":2}')], 0)[0] == [
        AwarenessEntry(1, 3, '{"a":2}')
    ]
    assert reg.present(1) == [AwarenessEntry(1, 3, '{"a":2}')]


def test_removal_at_equal_clock_wins() -> None:
    reg = registry()
    reg.apply("a", [AwarenessEntry(1, 4, "{}")], 0)
    assert reg.apply("a", [AwarenessEntry(1, 4, "null")], 0) == ([AwarenessEntry(1, 4, "null")], 0)
    assert reg.present(1) == []


def test_release_bumps_the_clock_so_clients_accept_it() -> None:
    reg = registry()
    reg.apply("a", [AwarenessEntry(1, 4, "{}")], 0)
    reg.apply("b", [AwarenessEntry(2, 9, "{}")], 0)
    assert reg.release("a") == [AwarenessEntry(1, 5, "null")]
    assert reg.present(1) == [AwarenessEntry(2, 9, "{}")]
    assert reg.release("a") == []


def test_a_stale_state_cannot_revive_a_removed_client() -> None:
    reg = registry()
    reg.apply("a", [AwarenessEntry(1, 4, "{}")], 0)
    reg.release("a")
    assert reg.apply("b", [AwarenessEntry(1, 5, '{"late":true}')], 0) == ([], 0)
    assert reg.present(1) == []


def test_no_one_may_speak_for_an_id_another_connection_owns() -> None:
    reg = registry()
    reg.apply("a", [AwarenessEntry(1, 1, '{"name":"Aino"}')], 0)
    accepted, refused = reg.apply(
        "mallory", [AwarenessEntry(1, 9, '{"name":"fake"}'), AwarenessEntry(1, 10, "null")], 1
    )
    assert (accepted, refused) == ([], 2)
    assert reg.present(1) == [AwarenessEntry(1, 1, '{"name":"Aino"}')]


def test_an_outdated_owner_loses_its_id_to_a_reconnecting_client() -> None:
    reg = registry()
    reg.apply("old socket", [AwarenessEntry(1, 1, "{}")], 0)
    assert reg.apply("new socket", [AwarenessEntry(1, 2, "{}")], OUTDATED_AFTER - 1)[1] == 1
    accepted, refused = reg.apply("new socket", [AwarenessEntry(1, 2, "{}")], OUTDATED_AFTER)
    assert (accepted, refused) == ([AwarenessEntry(1, 2, "{}")], 0)
    assert reg.release("old socket") == []


def test_one_connection_speaks_for_a_bounded_number_of_ids() -> None:
    reg = registry(max_ids=2)
    entries = [AwarenessEntry(i, 1, "{}") for i in range(5)]
    accepted, refused = reg.apply("a", entries, 0)
    assert [e.client_id for e in accepted] == [0, 1]
    assert refused == 3


def test_a_state_nobody_renews_is_not_announced_to_newcomers() -> None:
    reg = registry()
    reg.apply("node:dead", [AwarenessEntry(1, 1, '{"name":"Aino"}')], 0, limited=False)
    reg.apply("b", [AwarenessEntry(2, 1, "{}")], 0)
    reg.apply("b", [AwarenessEntry(2, 2, '{"renewed":true}')], OUTDATED_AFTER - 1)
    assert reg.present(OUTDATED_AFTER - 1) == [
        AwarenessEntry(1, 1, '{"name":"Aino"}'),
        AwarenessEntry(2, 2, '{"renewed":true}'),
    ]
    assert reg.present(OUTDATED_AFTER) == [AwarenessEntry(2, 2, '{"renewed":true}')]


def test_another_server_process_speaks_for_all_its_connections() -> None:
    reg = registry(max_ids=2)
    entries = [AwarenessEntry(i, 1, "{}") for i in range(5)]
    accepted, refused = reg.apply("node:b", entries, 0, limited=False)
    assert (len(accepted), refused) == (5, 0)
    # Its ids are still its own: a local connection cannot take them while they are renewed.
    assert reg.apply("mallory", [AwarenessEntry(3, 2, "null")], 1) == ([], 1)
