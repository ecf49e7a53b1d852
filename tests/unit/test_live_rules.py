"""The pure rules of a live session: targets, the timer's arithmetic, phases, locks, votes."""

from __future__ import annotations

import pytest

from documents.live.state import (
    DEFAULT_AGENDA,
    MAX_LOCKS,
    InvalidPhase,
    Period,
    Phase,
    SessionState,
    TooManyLocks,
)
from documents.live.targets import InvalidTarget, check_target, item_id
from documents.live.timer import Timer, TimerError
from documents.live.votes import (
    BUDGET_SPENT,
    ITEM_CAP,
    NO_DOT,
    InvalidVote,
    VoteRefused,
    VoteRules,
    ordered_results,
)

T0 = 1_800_000_000.0


@pytest.mark.parametrize(
    "target",
    [
        "content",
        "matrix",
        "path",
        "evaluation",
        "model",
        "ideas",
        "matrix/client.actors",
        "matrix/political_administrative.finances",
        "model/purpose",
        "path/needs",
        "evaluation/trial",
        "model/components/0a1b2c3d4e5f6071",
        "ideas/9f8e7d6c5b4a3921",
    ],
)
def test_targets_are_the_field_paths_diffs_name(target: str) -> None:
    assert check_target(target) == target


@pytest.mark.parametrize(
    "target",
    [
        "",
        "comments",
        "matrix/client",
        "matrix/client.weather",
        "model/components",
        "model/components/",
        "model/components/a/title",
        "ideas/",
        "ideas/../x",
        "path/needs/extra",
        "session",
        "Matrix",
    ],
)
def test_anything_else_is_no_target(target: str) -> None:
    with pytest.raises(InvalidTarget):
        check_target(target)


def test_items_are_components_and_ideas() -> None:
    assert item_id("ideas/abc") == "abc"
    assert item_id("model/components/x-1") == "x-1"
    assert item_id("model/purpose") is None
    assert item_id("ideas/a/b") is None


def test_a_running_timer_is_its_end_on_the_server_clock() -> None:
    timer = Timer.started(T0, 300)
    assert (timer.running, timer.ends_at) == (True, T0 + 300)
    assert timer.left(T0 + 120) == 180
    assert timer.left(T0 + 400) == 0  # never below zero


def test_pause_resume_and_add_keep_the_remaining_time() -> None:
    paused = Timer.started(T0, 300).paused(T0 + 100)
    assert (paused.running, paused.ends_at, paused.remaining) == (False, None, 200)
    assert paused.left(T0 + 10_000) == 200  # a paused timer does not run down
    resumed = paused.resumed(T0 + 1000)
    assert resumed.ends_at == T0 + 1200
    assert resumed.left(T0 + 1150) == 50
    more = resumed.added(T0 + 1150, 60)
    assert more.left(T0 + 1150) == 110
    assert more.duration == 360
    less = more.added(T0 + 1150, -500)
    assert less.left(T0 + 1150) == 0
    assert less.running
    assert paused.added(T0 + 5, 30).remaining == 230


def test_time_added_to_an_expired_timer_counts_from_now() -> None:
    expired = Timer.started(T0, 60)
    assert expired.added(T0 + 600, 120).ends_at == T0 + 720


def test_impossible_timer_actions_are_refused() -> None:
    running = Timer.started(T0, 60)
    with pytest.raises(TimerError):
        running.resumed(T0)
    paused = running.paused(T0 + 1)
    with pytest.raises(TimerError):
        paused.paused(T0 + 2)
    with pytest.raises(TimerError, match="time is up"):
        running.paused(T0 + 100).resumed(T0 + 101)
    for seconds in (0, -5, 86_401):
        with pytest.raises(TimerError):
            Timer.started(T0, seconds)
    with pytest.raises(TimerError):
        running.added(T0, 0)


def test_timer_round_trips_through_json() -> None:
    for timer in (Timer.started(T0, 90), Timer.started(T0, 90).paused(T0 + 30)):
        assert Timer.from_json(timer.to_json()) == timer


def test_a_session_begins_in_its_first_phase_of_the_default_agenda() -> None:
    state = SessionState.begun((), T0)
    assert state.phases == DEFAULT_AGENDA
    assert [p.title for p in state.phases] == ["Ideoi", "Kehitä", "Toteuta"]
    assert state.current.targets == ("path/needs", "path/goals")
    assert state.periods == (Period(0, T0),)


def test_phases_go_forward_and_back_and_keep_their_periods() -> None:
    state = SessionState.begun((), T0).go_to(1, T0 + 60).go_to(0, T0 + 90)
    assert state.phase == 0
    assert state.periods == (
        Period(0, T0, T0 + 60),
        Period(1, T0 + 60, T0 + 90),
        Period(0, T0 + 90),
    )
    assert state.go_to(0, T0 + 100) is state
    with pytest.raises(InvalidPhase):
        state.go_to(3, T0)
    with pytest.raises(InvalidPhase):
        state.go_to(-1, T0)
    ended = state.ended(T0 + 120)
    assert ended.periods[-1] == Period(0, T0 + 90, T0 + 120)


def test_timer_actions_through_the_state() -> None:
    state = SessionState.begun((), T0)
    with pytest.raises(TimerError):
        state.timed("pause", None, T0)
    with pytest.raises(TimerError):
        state.timed("start", None, T0)
    running = state.timed("start", 600, T0)
    paused = running.timed("pause", None, T0 + 100)
    assert paused.timer is not None
    assert paused.timer.remaining == 500
    added = paused.timed("add", 60, T0 + 200).timed("resume", None, T0 + 300)
    assert added.timer is not None
    assert added.timer.ends_at == T0 + 860
    ended = added.ended(T0 + 400)
    assert ended.timer is not None
    assert not ended.timer.running
    assert ended.timer.remaining == 460


def test_locks_focus_and_their_targets() -> None:
    state = SessionState.begun((), T0).locked(["matrix", "model/purpose"], True)
    assert state.locks == ("matrix", "model/purpose")
    state = state.locked(["matrix", "path"], False).locked(["model/purpose"], True)
    assert state.locks == ("model/purpose",)
    with pytest.raises(InvalidTarget):
        state.locked(["matrix/nowhere"], True)
    with pytest.raises(TooManyLocks):
        state.locked([f"ideas/i{n}" for n in range(MAX_LOCKS + 1)], True)
    assert state.focused("matrix/client.actors").focus == "matrix/client.actors"
    assert state.focused(None).focus is None
    assert state.ended(T0).locks == ()


def test_state_round_trips_through_json() -> None:
    state = (
        SessionState.begun((Phase("Lämmittely", ("content",), notes=False),), T0)
        .timed("start", 120, T0)
        .locked(["ideas"], True)
        .focused("ideas")
    )
    assert SessionState.from_json(state.to_json()) == state


def test_vote_rules_are_checked_when_opened() -> None:
    for items, per_person, cap in (
        ([], 3, 1),
        (["ideas/a", "ideas/a"], 3, 1),
        (["model/purpose"], 3, 1),
        (["ideas/a"], 3, 4),
        (["ideas/a"], 0, 0),
    ):
        with pytest.raises(InvalidVote):
            VoteRules.checked(items, per_person, cap)


def test_casts_respect_the_budget_and_the_cap_and_say_which() -> None:
    rules = VoteRules.checked(["ideas/a", "ideas/b"], 3, 2)
    rules.check_cast({}, "ideas/a")
    with pytest.raises(VoteRefused) as cap:
        rules.check_cast({"ideas/a": 2}, "ideas/a")
    assert cap.value.code == ITEM_CAP
    assert "per-item limit" in cap.value.message
    with pytest.raises(VoteRefused) as budget:
        rules.check_cast({"ideas/a": 2, "ideas/b": 1}, "ideas/b")
    assert budget.value.code == BUDGET_SPENT
    assert "per-person limit" in budget.value.message
    with pytest.raises(InvalidVote):
        rules.check_cast({}, "ideas/c")
    with pytest.raises(VoteRefused) as none:
        rules.check_uncast({"ideas/a": 1}, "ideas/b")
    assert none.value.code == NO_DOT
    assert rules.dots_left({"ideas/a": 2}) == 1


def test_results_are_ordered_most_first_and_ties_share_a_rank() -> None:
    rules = VoteRules.checked(["ideas/a", "ideas/b", "ideas/c", "ideas/d"], 5, 5)
    results = ordered_results(rules, {"ideas/b": 4, "ideas/c": 4, "ideas/d": 1}, {"ideas/b": "B"})
    assert [(t.item, t.count, t.rank, t.label) for t in results] == [
        ("ideas/b", 4, 1, "B"),
        ("ideas/c", 4, 1, ""),
        ("ideas/d", 1, 3, ""),
        ("ideas/a", 0, 4, ""),
    ]
