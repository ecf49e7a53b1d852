"""Broadcast frames are built by hand for speed; they must be the bytes websockets would send."""

from __future__ import annotations

import pytest
from websockets.frames import Frame as WebsocketsFrame
from websockets.frames import Opcode

from collab.frames import PARTS_FROM_BYTES, binary_frame
from collab.peer import Frame


def whole(frame: Frame) -> bytes:
    return frame if isinstance(frame, bytes) else b"".join(frame)


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_binary_frame_matches_websockets_serialize(length: int) -> None:
    message = bytes(index % 251 for index in range(length))

    expected = WebsocketsFrame(Opcode.BINARY, message).serialize(mask=False)

    assert whole(binary_frame(message)) == expected


@pytest.mark.parametrize("split", [0, 1, 3, 70000])
def test_a_message_in_parts_makes_the_frame_of_the_whole(split: int) -> None:
    message = bytes(index % 251 for index in range(70000))

    expected = whole(binary_frame(message))

    assert whole(binary_frame(message[:split], message[split:])) == expected
    assert whole(binary_frame(message[:split], b"", message[split:])) == expected


def test_a_big_frame_keeps_the_message_uncopied_and_a_small_one_is_one_piece() -> None:
    state = bytes(PARTS_FROM_BYTES)
    head = b"\x00\x01\x80\x80\x04"

    big = binary_frame(head, state)
    small = binary_frame(head, state[:100])

    assert isinstance(big, tuple)
    assert big[1] is head
    assert big[2] is state
    assert isinstance(small, bytes)
