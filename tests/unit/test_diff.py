"""Cell-level differences between two workshop states."""

from __future__ import annotations

from documents.access import DocumentKind
from documents.diff import CellDifference, cell_texts, changed_cells, differences
from documents.workshop_doc import (
    add_component,
    content_to_data,
    load_document,
    seed_update,
    text_at,
)


def test_changed_cells_names_exactly_the_edited_cells() -> None:
    doc = load_document(DocumentKind.CONTENT, seed_update(DocumentKind.CONTENT))
    before = content_to_data(doc)
    assert len(cell_texts(before)) == 24 + 5 + 5 + 6
    text_at(doc, "matrix/client.actors").insert(0, "Asiakas ja omainen")
    text_at(doc, "model/purpose").insert(0, "Tarkoitus")
    component = add_component(doc, "Vaihe", "Kuvaus")
    after = content_to_data(doc)
    assert changed_cells(before, after) == sorted(
        ["matrix/client.actors", "model/purpose", f"model/components/{component}"]
    )
    assert changed_cells(after, after) == []


def test_differences_give_each_changed_cells_text_before_and_after() -> None:
    doc = load_document(DocumentKind.CONTENT, seed_update(DocumentKind.CONTENT))
    text_at(doc, "model/purpose").insert(0, "Tarkoitus")
    before = content_to_data(doc)
    text_at(doc, "model/purpose").insert(0, "Uusi ")
    component = add_component(doc, "Vaihe", "Kuvaus")
    after = content_to_data(doc)
    assert differences(before, after) == [
        CellDifference(f"model/components/{component}", None, "Vaihe\nKuvaus"),
        CellDifference("model/purpose", "Tarkoitus", "Uusi Tarkoitus"),
    ]
    assert differences(after, before)[0] == CellDifference(
        f"model/components/{component}", "Vaihe\nKuvaus", None
    )
