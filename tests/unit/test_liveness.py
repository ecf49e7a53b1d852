"""The liveness rule: cut a connection that never speaks after its upgrade, ping one that has
been silent a third of the idle timeout, cut one silent for all of it."""

from __future__ import annotations

import pytest

from collab.liveness import CheckAgain, GiveUp, first_check_after, next_check

IDLE = 60.0


def test_a_client_that_never_sent_a_message_is_cut_at_the_deadline() -> None:
    verdict = next_check(heard_message=False, silent=0.0, idle_timeout=IDLE)
    assert verdict == GiveUp("no sync message within the handshake timeout")


def test_a_client_heard_recently_is_looked_at_again_when_a_ping_would_be_due() -> None:
    assert next_check(heard_message=True, silent=5.0, idle_timeout=IDLE) == CheckAgain(15.0)


@pytest.mark.parametrize("silent", [20.0, 45.0, 59.9])
def test_a_silent_client_is_pinged_and_looked_at_a_third_of_the_timeout_later(
    silent: float,
) -> None:
    verdict = next_check(heard_message=True, silent=silent, idle_timeout=IDLE)
    assert verdict == CheckAgain(20.0, ping=True)


@pytest.mark.parametrize("silent", [60.0, 75.0])
def test_a_client_silent_for_the_whole_timeout_is_cut(silent: float) -> None:
    verdict = next_check(heard_message=True, silent=silent, idle_timeout=IDLE)
    assert verdict == GiveUp(f"nothing received for {silent:.0f} s")


def test_the_first_check_comes_a_third_of_the_idle_timeout_after_the_first_message() -> None:
    assert first_check_after(IDLE) == 20.0
