"""Reviewed merges: accepted cells take the incoming text, rejected ones keep their own, and
later merges stay clean."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc, Text

from documents.access import DocumentKind
from documents.merge import (
    CellChange,
    ContradictoryReview,
    OutdatedReview,
    Review,
    check_review,
    incoming_changes,
    merge_reviewed,
    preview,
)
from documents.offers import Offer, offer
from documents.workshop_doc import (
    add_component,
    components_map,
    content_to_data,
    load_document,
    seed_update,
    text_at,
)
from web.api.lineage import located


def origin() -> Doc[Any]:
    doc = load_document(DocumentKind.CONTENT, seed_update(DocumentKind.CONTENT))
    text_at(doc, "model/purpose").insert(0, "Turvallinen yö")
    text_at(doc, "matrix/client.actors").insert(0, "Asiakas")
    return doc


def fork_of(parent: Doc[Any]) -> Doc[Any]:
    return load_document(DocumentKind.CONTENT, parent.get_update())


def pull(child: Doc[Any], parent: Doc[Any], rejected: set[str]) -> list[str]:
    incoming = incoming_changes(parent.get_update(), child.get_update())
    cells = [change.cell for change in preview(child.get_update(), incoming)]
    merge_reviewed(child, incoming, rejected)
    return cells


def test_accepted_cells_take_upstream_text_and_rejected_cells_keep_the_forks() -> None:
    parent = origin()
    child = fork_of(parent)
    text_at(child, "model/purpose").insert(0, "Oma: ")
    text_at(parent, "model/purpose").insert(len("Turvallinen yö".encode()), " kotona")
    text_at(parent, "matrix/client.actors").insert(len(b"Asiakas"), " ja omainen")
    text_at(parent, "model/core_idea").insert(0, "Yöpartio")
    changes = preview(child.get_update(), incoming_changes(parent.get_update(), child.get_update()))
    assert {c.cell: c.incoming for c in changes} == {
        "model/purpose": "Oma: Turvallinen yö kotona",
        "matrix/client.actors": "Asiakas ja omainen",
        "model/core_idea": "Yöpartio",
    }
    assert str(text_at(child, "model/purpose")) == "Oma: Turvallinen yö", "preview is a copy"
    pull(child, parent, rejected={"model/purpose", "model/core_idea"})
    assert str(text_at(child, "matrix/client.actors")) == "Asiakas ja omainen"
    assert str(text_at(child, "model/purpose")) == "Oma: Turvallinen yö"
    assert str(text_at(child, "model/core_idea")) == ""


def test_a_second_pull_brings_only_what_is_new_and_duplicates_nothing() -> None:
    parent = origin()
    child = fork_of(parent)
    text_at(parent, "model/core_idea").insert(0, "Yöpartio")
    text_at(parent, "model/purpose").insert(0, "Uusi: ")
    pull(child, parent, rejected={"model/core_idea"})
    text_at(parent, "matrix/client.actors").insert(0, "Iäkäs ")
    cells = pull(child, parent, rejected=set())
    assert cells == ["matrix/client.actors"]
    assert str(text_at(child, "model/purpose")) == "Uusi: Turvallinen yö"
    assert str(text_at(child, "matrix/client.actors")) == "Iäkäs Asiakas"
    assert str(text_at(child, "model/core_idea")) == ""
    assert pull(child, parent, rejected=set()) == []


def test_components_can_be_accepted_or_rejected_one_by_one() -> None:
    parent = origin()
    kept = add_component(parent, "Soitto", "Asiakas soittaa")
    child = fork_of(parent)
    added = add_component(parent, "Käynti", "Hoitaja tulee")
    title = components_map(parent)[kept]["title"]
    assert isinstance(title, Text)
    title.insert(0, "Ensin: ")
    cells = pull(child, parent, rejected={f"model/components/{added}", f"model/components/{kept}"})
    assert sorted(cells) == sorted([f"model/components/{added}", f"model/components/{kept}"])
    assert content_to_data(child)["components"] == [
        {"id": kept, "title": "Soitto", "description": "Asiakas soittaa"}
    ]


def test_a_component_upstream_removed_stays_when_the_fork_keeps_it() -> None:
    parent = origin()
    kept = add_component(parent, "Yöhoitaja", "Käy kahdesti yössä")
    child = fork_of(parent)
    del components_map(parent)[kept]

    assert pull(child, parent, {f"model/components/{kept}"}) == [f"model/components/{kept}"]

    assert [
        (c["id"], c["title"], c["description"]) for c in content_to_data(child)["components"]
    ] == [(kept, "Yöhoitaja", "Käy kahdesti yössä")]
    assert pull(child, parent, set()) == []


def test_a_cell_kept_as_ours_is_offered_again_when_upstream_changes_it_later() -> None:
    parent = origin()
    child = fork_of(parent)
    purpose = "model/purpose"
    text_at(parent, purpose).insert(0, "Aina ")
    assert pull(child, parent, {purpose}) == [purpose]
    assert str(text_at(child, purpose)) == "Turvallinen yö"
    assert pull(child, parent, set()) == []

    text_at(parent, purpose).insert(len("Aina Turvallinen yö".encode()), " kotona")

    incoming = incoming_changes(parent.get_update(), child.get_update())
    [offered] = preview(child.get_update(), incoming)
    assert (offered.cell, offered.current) == (purpose, "Turvallinen yö")
    assert offered.incoming is not None
    assert "kotona" in offered.incoming


def review(source: bytes, target: bytes) -> Offer:
    """The offer as the API makes it, with where the incoming items sit upstream."""
    return offer("origin", source, target, located)


def test_a_component_declined_earlier_is_offered_again_when_upstream_changes_it() -> None:
    parent = origin()
    child = fork_of(parent)
    added = add_component(parent, "Omaisen puhelu", "Omainen soittaa illalla")
    cell = f"model/components/{added}"
    first = review(parent.get_update(), child.get_update())
    assert [c.cell for c in first.changes] == [cell]
    merge_reviewed(child, first.incoming, {cell})
    assert content_to_data(child)["components"] == []
    assert review(parent.get_update(), child.get_update()).changes == []

    title = text_at(parent, f"{cell}/title")
    title.insert(len(str(title).encode()), " ja aamulla")

    again = review(parent.get_update(), child.get_update())
    assert [(c.cell, c.current, c.incoming) for c in again.changes] == [
        (cell, None, "Omaisen puhelu ja aamulla\nOmainen soittaa illalla")
    ]
    merge_reviewed(child, again.incoming, set(), again.revivable)
    assert [(c["id"], c["title"]) for c in content_to_data(child)["components"]] == [
        (added, "Omaisen puhelu ja aamulla")
    ]
    assert review(parent.get_update(), child.get_update()).changes == []


CHANGES = [CellChange("model/purpose", "a", "b"), CellChange("ideas/x", None, "idea")]


def test_a_review_deciding_every_changed_cell_keeps_only_the_changed_ones() -> None:
    review = check_review(CHANGES, ["model/purpose", "model/gone"], ["ideas/x"])
    assert review == Review(accepted=["model/purpose"], rejected=["ideas/x"])
    assert check_review([], [], ["model/purpose"]) == Review([], [])


def test_a_cell_both_accepted_and_rejected_is_refused_by_name() -> None:
    with pytest.raises(ContradictoryReview) as refused:
        check_review(CHANGES, ["ideas/x", "model/purpose"], ["model/purpose", "ideas/x"])
    assert refused.value.cells == ["ideas/x", "model/purpose"]


def test_a_review_missing_a_changed_cell_is_outdated_and_names_it() -> None:
    with pytest.raises(OutdatedReview) as refused:
        check_review(CHANGES, ["model/purpose"], [])
    assert refused.value.cells == ["ideas/x"]
    assert "preview again" in str(refused.value)
