"""A message may reach the endpoint in fragments: it must come out whole, once, in order,
with control frames between the fragments changing nothing, and text refused."""

from __future__ import annotations

import pytest
from websockets.frames import Opcode

from collab.frames import Fragments, TextFrame


def test_an_unfragmented_message_comes_out_at_once() -> None:
    assert Fragments().take(Opcode.BINARY, b"\x00\x02ab", True) == b"\x00\x02ab"


def test_fragments_are_joined_when_the_last_one_arrives() -> None:
    fragments = Fragments()
    assert fragments.take(Opcode.BINARY, b"\x00", False) is None
    assert fragments.take(Opcode.CONT, b"\x02", False) is None
    assert fragments.take(Opcode.PING, b"", True) is None  # between fragments: allowed
    assert fragments.take(Opcode.CONT, b"ab", True) == b"\x00\x02ab"


def test_a_finished_message_leaves_nothing_behind_for_the_next() -> None:
    fragments = Fragments()
    fragments.take(Opcode.BINARY, b"first", False)
    fragments.take(Opcode.CONT, b" message", True)
    assert fragments.take(Opcode.BINARY, b"sec", False) is None
    assert fragments.take(Opcode.CONT, b"ond", True) == b"second"


@pytest.mark.parametrize("fin", [True, False])
def test_text_is_refused(fin: bool) -> None:
    with pytest.raises(TextFrame):
        Fragments().take(Opcode.TEXT, b"hello", fin)
