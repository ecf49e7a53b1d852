"""`verstas serve` turns its flags and VERSTAS_* variables into Settings (the server itself is
replaced by a recorder here: starting it is what the integration tests do)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import web.server
from web.cli.main import app
from web.settings import Settings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    runs: list[Settings] = []
    monkeypatch.setattr(web.server, "run", runs.append)
    return runs


def test_the_commit_window_is_given_in_milliseconds(served: list[Settings]) -> None:
    result = CliRunner().invoke(app, ["serve", "--commit-window-ms", "0.5"])
    assert result.exit_code == 0, result.output
    assert served[0].commit_window == pytest.approx(0.0005)


def test_the_commit_window_defaults_to_two_milliseconds(served: list[Settings]) -> None:
    result = CliRunner().invoke(app, ["serve"], env={"VERSTAS_COMMIT_WINDOW_MS": None})
    assert result.exit_code == 0, result.output
    assert served[0].commit_window == pytest.approx(0.002)


def test_the_commit_window_comes_from_the_environment(served: list[Settings]) -> None:
    result = CliRunner().invoke(app, ["serve"], env={"VERSTAS_COMMIT_WINDOW_MS": "5"})
    assert result.exit_code == 0, result.output
    assert served[0].commit_window == pytest.approx(0.005)


def test_a_commit_window_over_100_ms_is_refused(served: list[Settings]) -> None:
    result = CliRunner().invoke(app, ["serve", "--commit-window-ms", "250"])
    assert result.exit_code == 2
    assert "commit-window-ms" in result.output
    assert served == []
