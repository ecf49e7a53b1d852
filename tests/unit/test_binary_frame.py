"""Broadcast frames are built by hand for speed; they must be the bytes websockets would send."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from collab.frames import binary_frame


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_binary_frame_matches_websockets_serialize(length: int) -> None:
    message = bytes(index % 251 for index in range(length))

    assert binary_frame(message) == Frame(Opcode.BINARY, message).serialize(mask=False)
