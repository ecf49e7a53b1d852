"""Restoring a version edits only what differs: the pure diff of two texts, and the restore of
every kind of cell keeping the comment anchors on the text nobody changed."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text

from documents.access import DocumentKind
from documents.comments import AnchorPositions, anchor, resolve_anchor
from documents.restore import Splice, restore, splices
from documents.workshop_doc import (
    add_component,
    add_idea,
    components_map,
    content_to_data,
    load_document,
    root,
    seed_update,
    set_votes,
    text_at,
)


def applied(current: str, edits: list[Splice]) -> str:
    for edit in edits:
        current = current[: edit.start] + edit.insert + current[edit.end :]
    return current


# --- the pure diff ------------------------------------------------------------------------------


def test_equal_texts_need_no_edit() -> None:
    assert splices("Hoitaja käy yöllä", "Hoitaja käy yöllä") == []
    assert splices("", "") == []


def test_one_changed_word_is_one_splice_and_the_rest_is_kept() -> None:
    current = "Hoitaja käy yöllä kotona."
    assert splices(current, "Hoitaja käy aamulla kotona.") == [Splice(12, 17, "aamulla")]


def test_a_changed_word_goes_as_a_whole() -> None:
    """No letters of the old word are kept for the new one: a thread on the old word goes
    with it instead of clinging to the letters the two share."""
    assert splices("Hoitaja käy", "Hoitaja kävi") == [Splice(8, 11, "kävi")]


def test_splices_come_last_first_with_offsets_of_the_current_text() -> None:
    current = "Yksi kaksi kolme neljä viisi"
    edits = splices(current, "Yksi KAKSI kolme neljä VIISI!")
    assert [edit.start for edit in edits] == sorted((edit.start for edit in edits), reverse=True)
    assert edits == [Splice(23, 28, "VIISI!"), Splice(5, 10, "KAKSI")]


def test_pure_insertions_and_deletions_touch_nothing_else() -> None:
    assert splices("Äiti ja lapsi", "Äiti, isä ja lapsi") == [Splice(4, 4, ", isä")]
    assert splices("Äiti, isä ja lapsi", "Äiti ja lapsi") == [Splice(4, 9, "")]
    assert splices("", "Uusi teksti") == [Splice(0, 0, "Uusi teksti")]
    assert splices("Vanha teksti", "") == [Splice(0, 12, "")]


TEXTS = st.text(st.sampled_from("aäb ö😀\n.,x€"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(current=TEXTS, target=TEXTS)
def test_splices_turn_any_text_into_any_other(current: str, target: str) -> None:
    edits = splices(current, target)
    assert applied(current, edits) == target
    assert (edits == []) == (current == target)
    for later, earlier in pairwise(edits):
        assert earlier.end <= later.start, "disjoint, last first"
    for edit in edits:
        assert edit.start < edit.end or edit.insert, "no empty edit"


# --- restoring a document -----------------------------------------------------------------------


def new_doc() -> Doc[Any]:
    return load_document(DocumentKind.CONTENT, seed_update(DocumentKind.CONTENT))


def replace(text: Text, old: str, new: str) -> None:
    """Replace the first `old` in a live text by `new`, as a person typing there would."""
    value = str(text)
    at = len(value[: value.index(old)].encode())
    del text[at : at + len(old.encode())]
    text.insert(at, new)


def test_restore_brings_back_texts_and_components_as_a_forward_change() -> None:
    doc = new_doc()
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


def test_restore_brings_back_ideas_their_order_authors_and_votes() -> None:
    doc = new_doc()
    first = add_idea(doc, "Tabletti videopuheluihin", "aino")
    second = add_idea(doc, "Kimppakyyti", "mikko")
    set_votes(doc, first, "aino", 2)
    version = content_to_data(doc)
    root(doc, "ideas")[second]["order"] = -1.0
    set_votes(doc, first, "aino", 0)
    set_votes(doc, first, "mikko", 3)
    del root(doc, "ideas")[first]
    later = add_idea(doc, "Myöhempi", "liisa")
    assert restore(doc, version) == sorted([f"ideas/{first}", f"ideas/{later}"])
    assert content_to_data(doc) == version


# One comment on each kind of cell: the words each thread is on, and the text around them.
CELLS = {
    "matrix/client.actors": ("Asiakas ja omainen sopivat yhdessä", "omainen"),
    "model/purpose": ("Ikääntynyt asuu kotonaan turvallisesti", "kotonaan"),
    "path/needs": ("Yöllä ei ole ketään 😀 paikalla", "ketään"),
    "evaluation/trial": ("Kokeilu kolmessa kunnassa keväällä", "kolmessa"),
}


def commented(doc: Doc[Any], field: str, words: str) -> AnchorPositions:
    value = str(text_at(doc, field))
    start = value.index(words)
    return anchor(doc, field, start, start + len(words))


def test_every_comment_on_unchanged_words_keeps_its_anchor_through_a_restore() -> None:
    """Comment a word in each kind of cell, edit elsewhere in the same cells, restore the
    version: every thread still quotes its word. Threads on words the restore removes are
    gone (null), as the export schema says."""
    doc = new_doc()
    for field, (sentence, _) in CELLS.items():
        text_at(doc, field).insert(0, sentence)
    component = add_component(doc, "Kotiutuspäivän käynti", "Fysioterapeutti käy kotona")
    idea = add_idea(doc, "Tabletti videopuheluihin omaisille", "aino")
    fields = {
        **{field: words for field, (_, words) in CELLS.items()},
        f"model/components/{component}/title": "käynti",
        f"ideas/{idea}/text": "videopuheluihin",
    }
    version = content_to_data(doc)
    threads = {field: commented(doc, field, words) for field, words in fields.items()}
    for field in fields:
        cell = text_at(doc, field)
        cell.insert(0, "Uusi alku. ")
        cell.insert(len(str(cell).encode()), " Ja uusi loppu.")
    replace(text_at(doc, "model/purpose"), "turvallisesti", "yksin")
    added = commented(doc, "model/purpose", "yksin")

    changed = restore(doc, version)

    assert content_to_data(doc) == version
    assert len(changed) == len(fields)
    for field, words in fields.items():
        resolved = resolve_anchor(doc, threads[field])
        assert resolved["quote"] == words, field
        assert str(text_at(doc, field))[resolved["start"] or 0 : resolved["end"]] == words
    gone = resolve_anchor(doc, added)
    assert (gone["start"], gone["end"], gone["quote"]) == (None, None, "")


def test_a_restore_touches_no_character_it_keeps() -> None:
    """The restore's update deletes only the characters that differ: a second replica that
    holds the same text sees its own anchors on every kept word survive."""
    doc = new_doc()
    text_at(doc, "model/core_idea").insert(0, "Hoitaja käy yöllä kotona ja soittaa aamulla")
    version = content_to_data(doc)
    replace(text_at(doc, "model/core_idea"), "yöllä", "päivällä")
    replica = load_document(DocumentKind.CONTENT, doc.get_update())
    kept = {words: commented(replica, "model/core_idea", words) for words in ("Hoitaja", "aamulla")}
    before = doc.get_state()
    restore(doc, version)
    replica.apply_update(doc.get_update(before))
    assert str(text_at(replica, "model/core_idea")) == version["model"]["core_idea"]
    for words, positions in kept.items():
        assert resolve_anchor(replica, positions)["quote"] == words
