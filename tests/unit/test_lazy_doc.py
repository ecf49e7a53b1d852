"""LazyDoc keeps the state vector between changes: each applied update is compared with the
state vector from before it, and that one must always be the document's real one; an update
that left it as it was is classified (a repeat, deletions, waiting)."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc, Text

from collab.crdt import InvalidUpdate, Unchanged
from collab.lazy_doc import EMPTY_STATE_VECTOR, LazyDoc


def typed(doc: Doc[Any], words: str) -> bytes:
    """Type `words` at the end of the document's text; the update it made."""
    before = doc.get_state()
    text = doc.get("t", type=Text)
    text.insert(len(text), words)
    return doc.get_update(before)


def test_an_update_that_advances_the_state_vector_is_a_change_and_keeps_the_new_one() -> None:
    client: Doc[Any] = Doc()
    lazy = LazyDoc(Doc())
    assert lazy.state_vector() == EMPTY_STATE_VECTOR
    assert lazy.apply(typed(client, "moi")) is None
    assert lazy.state_vector() == client.get_state()
    assert lazy.apply(typed(client, " kaikki")) is None
    assert lazy.state_vector() == client.get_state()
    assert str(lazy.get().get("t", type=Text)) == "moi kaikki"


def test_a_repeated_update_is_a_repeat_and_leaves_the_state_vector_as_it_was() -> None:
    client: Doc[Any] = Doc()
    lazy = LazyDoc(Doc())
    update = typed(client, "sama")
    lazy.apply(update)
    before = lazy.state_vector()
    assert lazy.apply(update) is Unchanged.REPEAT
    assert lazy.state_vector() == before


def test_a_repeat_carrying_a_deletion_and_a_delete_set_alone_are_changes() -> None:
    client: Doc[Any] = Doc()
    lazy = LazyDoc(Doc())
    first = typed(client, "poistettava")
    lazy.apply(first)
    before = client.get_state()
    client.get("t", type=Text).__delitem__(slice(0, 5))
    deletion = client.get_update(before)
    assert lazy.apply(first) is Unchanged.REPEAT
    assert lazy.apply(client.get_update()) is Unchanged.DELETIONS
    assert lazy.apply(deletion) is None
    assert str(lazy.get().get("t", type=Text)) == "ettava"


def test_an_update_past_the_documents_clocks_is_waiting() -> None:
    client: Doc[Any] = Doc()
    typed(client, "ensin")
    before = client.get_state()
    later = typed(client, " sitten")
    lazy = LazyDoc(Doc())
    assert client.get_update(before) == later
    assert lazy.apply(later) is Unchanged.WAITING


def test_a_change_made_outside_apply_is_seen_after_changed() -> None:
    doc: Doc[Any] = Doc()
    lazy = LazyDoc(doc)
    stale = lazy.state_vector()
    lazy.changed()
    typed(doc, "palvelin kirjoittaa")
    assert lazy.state_vector() != stale
    assert lazy.state_vector() == doc.get_state()


def test_a_refused_update_leaves_the_document_and_a_true_state_vector() -> None:
    client: Doc[Any] = Doc()
    lazy = LazyDoc(Doc())
    lazy.apply(typed(client, "ehjä"))
    kept = lazy.state_vector()
    with pytest.raises(InvalidUpdate):
        lazy.apply(b"\x01\xff\xff\xff")
    with pytest.raises(InvalidUpdate):
        lazy.apply(b"")
    assert lazy.state_vector() == kept == lazy.get().get_state()


def test_a_document_held_as_its_encoded_state_is_built_for_its_state_vector() -> None:
    client: Doc[Any] = Doc()
    typed(client, "tarkistuspiste")
    lazy = LazyDoc(state=client.get_update())
    assert not lazy.built
    assert lazy.state_vector() == client.get_state()
    assert lazy.built


def text_after(*updates: bytes) -> tuple[str, bytes]:
    """What a client that applies `updates` in order holds: its text and state vector."""
    doc: Doc[Any] = Doc()
    for update in updates:
        doc.apply_update(update)
    return str(doc.get("t", type=Text)), doc.get_state()


def test_a_tail_kept_beside_the_state_reaches_a_fresh_client_first_and_unmerged() -> None:
    client: Doc[Any] = Doc()
    checkpoint = typed(client, "tarkistuspiste")
    tail = typed(client, " ja loki")
    lazy = LazyDoc(state=checkpoint, tail=tail)

    first, answer = lazy.whole()

    assert (first, answer) == (tail, checkpoint)
    assert not lazy.built
    # the tail waits, pending, until the checkpoint it builds on arrives
    assert text_after(tail, checkpoint) == ("tarkistuspiste ja loki", client.get_state())


def test_a_tail_kept_beside_the_state_is_in_the_built_document_and_in_its_encoding() -> None:
    client: Doc[Any] = Doc()
    checkpoint = typed(client, "tarkistuspiste")
    tail = typed(client, " ja loki")

    merged = LazyDoc(state=checkpoint, tail=tail)
    assert text_after(merged.encoded()) == ("tarkistuspiste ja loki", client.get_state())
    assert merged.whole() == (None, merged.encoded())

    built = LazyDoc(state=checkpoint, tail=tail)
    assert built.state_vector() == client.get_state()
    assert built.whole() == (None, built.encoded())
    assert text_after(built.encoded()) == ("tarkistuspiste ja loki", client.get_state())


def test_an_update_that_waits_is_waiting_even_where_its_client_is_listed_at_clock_0() -> None:
    """yrs lists the client of a struct that waits at clock 0 when the struct names an item
    the document holds: the state vector's bytes change, its clocks do not. Taken for a
    change, such updates escaped the bound on what waits (a client could send them under a
    new client id each)."""
    first: Doc[Any] = Doc(client_id=100)
    typed(first, "a")
    second: Doc[Any] = Doc(client_id=102)
    typed(second, "b")
    second.apply_update(first.get_update())
    before = second.get_state()
    second.get("t", type=Text).insert(0, "c")  # before "a" and "b": names client 100's "a"
    waiting = second.get_update(before)
    lazy = LazyDoc(Doc())
    lazy.apply(first.get_update())
    assert lazy.apply(waiting) is Unchanged.WAITING
    assert lazy.state_vector() != first.get_state()  # the bytes did change
