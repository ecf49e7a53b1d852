"""Members side by side, on plain data: which cells are shown in which order, and what each
member is marked with having changed since its adoption."""

from __future__ import annotations

from documents.family_compare import (
    FIXED_CELLS,
    change,
    is_valid_request,
    member_view,
    wanted_cells,
)
from documents.lineage_service import TITLE_MAX, adoption_title


def test_a_change_is_told_apart_from_an_addition_and_a_removal() -> None:
    assert change("Yöpartio", "Yöpartio") is None
    assert change(None, "") is None  # no cell and an empty one read the same
    assert change("", "Yöpartio") == "added"
    assert change(None, "Uusi osa") == "added"
    assert change("Yöpartio", "") == "removed"
    assert change("Yöpartio", None) == "removed"
    assert change("Yöpartio", "Yöpartio kahdella hoitajalla") == "rewritten"


def test_a_member_is_marked_only_with_what_it_changed_itself() -> None:
    cells = ["model/purpose", "model/core_idea", "model/conditions", "model/components/a1"]
    taken = {"model/purpose": "Turva", "model/core_idea": "Idea", "model/conditions": "Ehto"}
    parent_now = {**taken, "model/core_idea": "Idea, jonka emo muutti myöhemmin"}
    now = {
        "model/purpose": "Turva yöllä",  # its own rewrite
        "model/core_idea": "Idea, jonka emo muutti myöhemmin",  # taken from upstream in a pull
        "model/conditions": "Ehto",  # unchanged, though upstream may change it
        "model/components/a1": "Oma osa\nKuvaus",  # its own component
    }

    view = member_view(cells, now, taken, parent_now)

    assert {cell: view[cell]["change"] for cell in cells} == {
        "model/purpose": "rewritten",
        "model/core_idea": None,
        "model/conditions": None,
        "model/components/a1": "added",
    }
    assert view["model/purpose"]["text"] == "Turva yöllä"
    # The root changed nothing from anyone; a parent the reader may not read is not consulted.
    assert all(v["change"] is None for v in member_view(cells, now, None, None).values())
    assert member_view(cells, now, taken, None)["model/core_idea"]["change"] == "rewritten"


def test_the_cells_come_in_the_models_order_with_every_members_components() -> None:
    root = {"model/components/b": "B", "model/components/a": "A"}
    fork = {"model/components/a": "A", "model/components/c": "C"}

    shown = wanted_cells(["evaluation", "model"], [root, fork])

    assert shown[: len(FIXED_CELLS["model"])] == list(FIXED_CELLS["model"])
    assert shown[len(FIXED_CELLS["model"]) :] == [
        "model/components/b",
        "model/components/a",
        "model/components/c",
        *FIXED_CELLS["evaluation"],
    ]
    assert wanted_cells(["matrix/client.actors", "model/components/c"], [root, fork]) == [
        "model/components/c",
        "matrix/client.actors",
    ]
    assert FIXED_CELLS["matrix"][:4] == (
        "matrix/client.actors",
        "matrix/professional.actors",
        "matrix/organisational.actors",
        "matrix/political_administrative.actors",
    )


def test_only_parts_and_cells_of_the_model_can_be_asked_for() -> None:
    assert all(is_valid_request(part) for part in ("model", "matrix", "path", "evaluation"))
    assert is_valid_request("matrix/client.finances")
    assert is_valid_request("model/components/5f2a9c1e0b7d3a64")
    for refused in ("ideas", "ideas/x", "model/components/", "model/components/a/title"):
        assert not is_valid_request(refused)
    assert not is_valid_request("matrix/client.weather")
    assert not is_valid_request("comments")


def test_an_adoption_is_named_after_the_model_and_its_adopter_within_300_characters() -> None:
    assert adoption_title("Kotihoidon yöpartio", "Siilinjärvi") == (
        "Kotihoidon yöpartio (Siilinjärvi)"
    )
    long = adoption_title("Y" * 300, "Siilinjärven kunta")
    assert len(long) == TITLE_MAX
    assert long.endswith("Y… (Siilinjärven kunta)")
    assert len(adoption_title("Y", "K" * 300)) == TITLE_MAX
