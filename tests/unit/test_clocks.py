"""An update advances a document when it continues each of its clients' runs and names only
what the document holds: then, and only then, `advanced_clocks` says where its clients reach;
anything else is left to the state vector (None)."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc, Text

from collab.clocks import (
    MIRRORED_FROM_CLIENTS,
    advanced,
    advanced_clocks,
    clients_in,
    clocks_of,
    kept_clocks,
)


def typed(doc: Doc[Any], words: str, at: int | None = None) -> bytes:
    before = doc.get_state()
    text = doc.get("t", type=Text)
    text.insert(len(text) if at is None else at, words)
    return doc.get_update(before)


def synced(source: Doc[Any], client_id: int) -> Doc[Any]:
    doc: Doc[Any] = Doc(client_id=client_id)
    doc.apply_update(source.get_update())
    return doc


def test_the_state_vector_read_as_clocks_is_pycrdts() -> None:
    doc: Doc[Any] = Doc(client_id=2**52 + 7)
    typed(doc, "abc")
    other = synced(doc, 5)
    typed(other, "de")
    doc.apply_update(other.get_update(doc.get_state()))
    assert clocks_of(doc.get_state()) == {2**52 + 7: 3, 5: 2}
    assert clients_in(doc.get_state()) == 2
    assert clocks_of(Doc().get_state()) == {}


def test_a_state_vector_cut_short_is_refused() -> None:
    doc: Doc[Any] = Doc(client_id=2**52 + 7)
    typed(doc, "abc")
    with pytest.raises(ValueError, match="not a state vector"):
        clocks_of(doc.get_state()[:-3])


def test_typing_on_from_where_the_document_stands_reaches_the_new_clock() -> None:
    writer: Doc[Any] = Doc(client_id=11)
    typed(writer, "moi")
    assert advanced_clocks(typed(writer, " kaikki"), {11: 3}) == {11: 10}


def test_a_long_update_is_left_to_the_state_vector_unread() -> None:
    writer: Doc[Any] = Doc(client_id=11)
    typed(writer, "moi")
    assert advanced_clocks(typed(writer, "x" * 200), {11: 3}) == {11: 203}
    assert advanced_clocks(typed(writer, "y" * 300), {11: 203}) is None


def test_a_first_keystroke_of_a_new_client_after_held_text_advances() -> None:
    writer: Doc[Any] = Doc(client_id=11)
    typed(writer, "moi")
    newcomer = synced(writer, 12)
    assert advanced_clocks(typed(newcomer, "!"), {11: 3}) == {12: 1}


def test_a_first_keystroke_into_an_empty_root_advances() -> None:
    writer: Doc[Any] = Doc(client_id=11)
    assert advanced_clocks(typed(writer, "a"), {}) == {11: 1}


def test_an_update_past_its_clients_clock_cannot_be_told() -> None:
    writer: Doc[Any] = Doc(client_id=11)
    typed(writer, "moi")
    later = typed(writer, " kaikki")
    assert advanced_clocks(later, {}) is None  # waits for "moi"


def test_a_repeat_cannot_be_told() -> None:
    writer: Doc[Any] = Doc(client_id=11)
    first = typed(writer, "moi")
    typed(writer, " kaikki")
    assert advanced_clocks(first, {11: 10}) is None


def test_an_insert_next_to_what_the_document_lacks_cannot_be_told() -> None:
    writer: Doc[Any] = Doc(client_id=11)
    typed(writer, "moi")
    other = synced(writer, 12)
    typed(writer, "!!")
    after_unseen = synced(writer, 13)
    update = typed(after_unseen, "?", at=4)  # its origin is client 11's "!" at clock 3
    assert advanced_clocks(update, {11: 3, 12: 0}) is None
    assert advanced_clocks(update, {11: 5}) == {13: 1}
    assert advanced_clocks(typed(other, "x", at=0), {11: 3}) == {12: 1}


def test_an_update_of_two_clients_where_one_builds_on_the_other_cannot_be_told() -> None:
    first: Doc[Any] = Doc(client_id=11)
    typed(first, "a")
    second = synced(first, 12)
    typed(second, "b")
    both: Doc[Any] = Doc()
    both.apply_update(second.get_update())
    assert advanced_clocks(both.get_update(), {}) is None
    assert advanced_clocks(second.get_update(Doc().get_state()), {11: 1}) is None


def test_a_delete_set_alone_or_bytes_that_are_no_update_cannot_be_told() -> None:
    writer: Doc[Any] = Doc(client_id=11)
    typed(writer, "poista")
    before = writer.get_state()
    writer.get("t", type=Text).__delitem__(slice(0, 2))
    assert advanced_clocks(writer.get_update(before), {11: 6}) is None
    assert advanced_clocks(b"\x01\xff\xff\xff", {}) is None


def state_vector(clocks: dict[int, int]) -> bytes:
    """A state vector's bytes as pycrdt writes them: the count, then client and clock pairs."""
    doc: Doc[Any] = Doc()
    for client_id, clock in clocks.items():
        writer: Doc[Any] = Doc(client_id=client_id)
        writer.get("t", type=Text).insert(0, "x" * clock)
        doc.apply_update(writer.get_update())
    return doc.get_state()


def test_a_clock_moves_or_a_client_arrives_and_the_state_vector_advanced() -> None:
    before = state_vector({11: 3})
    assert not advanced(before, before)
    assert advanced(before, state_vector({11: 4}))
    assert advanced(before, state_vector({11: 200}))  # a longer number, no new client
    assert advanced(before, state_vector({11: 3, 12: 1}))


def test_a_client_listed_at_clock_0_did_not_advance_it() -> None:
    before = state_vector({11: 3})
    listed = bytes([2]) + before[1:] + bytes([12, 0])  # as yrs lists a waiting struct's client
    assert clocks_of(listed) == {11: 3, 12: 0}
    assert not advanced(before, listed)


def test_clocks_are_kept_only_for_a_document_of_many_clients() -> None:
    few = dict.fromkeys(range(1, MIRRORED_FROM_CLIENTS), 1)
    assert kept_clocks(state_vector(few)) is None
    many = {**few, MIRRORED_FROM_CLIENTS: 2}
    assert kept_clocks(state_vector(many)) == many
