"""pycrdt's panics on untrusted input are refusals, not crashes."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Assoc, Doc, Text

from collab.crdt import InvalidUpdate, Unchanged, apply_update, classify_unchanged, diff_since


def real_panic() -> BaseException:
    """A genuine pyo3 PanicException (it cannot be imported, only caught)."""
    doc: Doc[Any] = Doc()
    try:
        doc.get("t", type=Text).sticky_index(0, Assoc.AFTER)
    except BaseException as exc:
        return exc
    raise AssertionError("pycrdt no longer panics here; find another way to get a panic")


class PanickingDoc(Doc[Any]):
    """A document whose Rust side panics, as pycrdt does on some hostile inputs."""

    def apply_update(self, update: bytes) -> None:
        raise real_panic()

    def get_update(self, state: bytes | None = None) -> bytes:
        raise real_panic()


def test_panic_is_not_an_exception_but_is_refused() -> None:
    assert not isinstance(real_panic(), Exception)
    with pytest.raises(InvalidUpdate, match="panicked"):
        apply_update(PanickingDoc(), b"\x00\x00")
    with pytest.raises(InvalidUpdate, match="panicked"):
        diff_since(PanickingDoc(), b"\x00")


def test_value_error_is_refused_and_leaves_the_document_unchanged() -> None:
    doc: Doc[Any] = Doc()
    doc.get("t", type=Text).insert(0, "ennallaan")
    before = doc.get_update()
    with pytest.raises(InvalidUpdate):
        apply_update(doc, b"\xff\xff\xff")
    assert doc.get_update() == before


def test_keyboard_interrupt_is_not_swallowed() -> None:
    class Interrupted(Doc[Any]):
        def apply_update(self, update: bytes) -> None:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        apply_update(Interrupted(), b"\x00\x00")


def _typed(text: str) -> tuple[Doc[Any], Text]:
    doc: Doc[Any] = Doc(client_id=1000)
    shared = doc.get("t", type=Text)
    shared.insert(0, text)
    return doc, shared


def _holder(*updates: bytes) -> Doc[Any]:
    holder: Doc[Any] = Doc()
    for update in updates:
        holder.apply_update(update)
    return holder


def test_a_pure_echo_is_a_repeat() -> None:
    source, _ = _typed("hello")
    update = source.get_update()
    holder = _holder(update)
    assert classify_unchanged(update, holder.get_state()) is Unchanged.REPEAT


def test_an_update_with_only_a_delete_set_is_a_change() -> None:
    source, text = _typed("hello world")
    holder = _holder(source.get_update())
    before = source.get_state()
    del text[5:11]
    deletion = source.get_update(before)
    assert deletion[0] == 0, "no structs: a delete set alone"
    assert classify_unchanged(deletion, holder.get_state()) is Unchanged.DELETIONS


def test_known_structs_with_a_new_deletion_are_a_change() -> None:
    """Issue 12: a step 2 repeating what was just sent, with an offline deletion beside it."""
    source, text = _typed("hello world")
    holder = _holder(source.get_update())
    synced = source.get_state()
    del text[5:11]
    offline = source.get_state()
    text.insert(len(text), "!")
    holder.apply_update(source.get_update(offline))  # "!" arrives first, alone
    answer = source.get_update(synced)  # then the step 2: "!" again, and the deletion
    state = holder.get_state()
    holder.apply_update(answer)
    assert holder.get_state() == state, "the state vector does not move"
    assert str(holder.get("t", type=Text)) == "hello!", "yet the document changed"
    assert classify_unchanged(answer, state) is Unchanged.DELETIONS


def test_structs_past_what_is_held_are_waiting() -> None:
    source, text = _typed("a")
    first = source.get_update()
    middle = source.get_state()
    text.insert(1, "bcd")
    second = source.get_update(middle)
    gap = _holder()
    gap.apply_update(second)
    assert classify_unchanged(second, gap.get_state()) is Unchanged.WAITING
    assert classify_unchanged(first, _holder(first).get_state()) is Unchanged.REPEAT
