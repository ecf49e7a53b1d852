"""pycrdt's panics on untrusted input are refusals, not crashes."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Assoc, Doc, Text

from collab.crdt import InvalidUpdate, apply_update, diff_since, is_repeat
from collab.protocol import first_struct


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


def test_repeats_are_told_from_updates_waiting_for_dependencies() -> None:
    source: Doc[Any] = Doc(client_id=1000)
    text = source.get("t", type=Text)
    text.insert(0, "a")
    first = source.get_update()
    middle = source.get_state()
    text.insert(1, "bcd")
    second = source.get_update(middle)
    holder: Doc[Any] = Doc()
    holder.apply_update(first)
    held = holder.get_state()
    assert is_repeat(first, held), "an echo of what is held"
    gap: Doc[Any] = Doc()
    assert not is_repeat(second, gap.get_state()), "starts past what is held: waiting"
    assert first_struct(second) == (1000, 1)
    assert first_struct(b"\x00\x00") is None
