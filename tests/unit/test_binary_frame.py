"""Broadcast frames are built by hand for speed; they must be the bytes websockets would send."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from collab.endpoint import binary_frame


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_binary_frame_matches_websockets_serialize(length: int) -> None:
    message = bytes(index % 251 for index in range(length))

    assert binary_frame(message) == Frame(Opcode.BINARY, message).serialize(mask=False)


@pytest.mark.parametrize("split", [0, 1, 3, 70000])
def test_a_message_in_parts_makes_the_frame_of_the_whole(split: int) -> None:
    message = bytes(index % 251 for index in range(70000))

    whole = binary_frame(message)

    assert binary_frame(message[:split], message[split:]) == whole
    assert binary_frame(message[:split], b"", message[split:]) == whole
