"""Cell-level differences between two workshop states."""

from __future__ import annotations

from documents.access import DocumentKind
from documents.diff import cell_texts, changed_cells
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
