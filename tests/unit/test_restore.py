"""Restoring a version edits only what differs, components included."""

from __future__ import annotations

from pycrdt import Text

from documents.access import DocumentKind
from documents.restore import restore
from documents.workshop_doc import (
    add_component,
    components_map,
    content_to_data,
    load_document,
    seed_update,
    text_at,
)


def test_restore_brings_back_texts_and_components_as_a_forward_change() -> None:
    doc = load_document(DocumentKind.CONTENT, seed_update(DocumentKind.CONTENT))
    text_at(doc, "model/purpose").insert(0, "Alkuperäinen")
    first = add_component(doc, "Soitto", "Asiakas soittaa")
    second = add_component(doc, "Käynti", "Hoitaja tulee")
    version = content_to_data(doc)
    state_before_edits = doc.get_state()
    cell = text_at(doc, "model/purpose")
    del cell[0 : len(cell)]
    cell.insert(0, "Muutettu")
    del components_map(doc)[first]
    title = components_map(doc)[second]["title"]
    assert isinstance(title, Text)
    title.insert(0, "Uusi ")
    added = add_component(doc, "Ylimääräinen", "")
    untouched = text_at(doc, "matrix/client.actors")
    untouched.insert(0, "Sama")
    version["matrix"]["client"]["actors"] = "Sama"
    changed = restore(doc, version)
    assert changed == sorted(
        [
            "model/purpose",
            f"model/components/{first}",
            f"model/components/{second}",
            f"model/components/{added}",
        ]
    )
    assert content_to_data(doc) == version
    assert doc.get_state() != state_before_edits, "history moves forward, never back"
    assert restore(doc, version) == []
