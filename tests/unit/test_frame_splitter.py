"""The endpoint splits a client's stream into whole frames and unmasks plain binary messages
itself; every frame must come out whole and in order however the stream is cut, and the
unmasked payload must be what the client sent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from websockets.frames import Frame, Opcode

from collab.frames import FrameSplitter, plain_message

MAX_SIZE = 70_000

# (opcode, fin, rsv1, masked); the first is what clients send nearly always.
SHAPES = [
    (Opcode.BINARY, True, False, True),
    (Opcode.BINARY, False, False, True),
    (Opcode.CONT, True, False, True),
    (Opcode.PING, True, False, True),
    (Opcode.TEXT, True, False, True),
    (Opcode.BINARY, True, True, True),
    (Opcode.BINARY, True, False, False),
]
LENGTHS = st.sampled_from([0, 1, 40, 125, 126, 127, 65535, 65536, 69_999])


def serialized(opcode: Opcode, fin: bool, rsv1: bool, masked: bool, payload: bytes) -> bytes:
    wire = Frame(opcode, payload, fin=fin).serialize(mask=masked)
    return bytes((wire[0] | 0x40,)) + wire[1:] if rsv1 else wire  # websockets refuses to set it


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[tuple[int, bytes, bytes]], list[int]]:
    """Frames (shape index, payload, bytes on the wire) and the points the stream is cut at."""
    frames = []
    for _ in range(draw(st.integers(1, 6))):
        shape = draw(st.integers(0, len(SHAPES) - 1))
        length = draw(LENGTHS) if SHAPES[shape][0] is not Opcode.PING else draw(LENGTHS) % 126
        payload = draw(st.binary(min_size=min(length, 8), max_size=min(length, 8)))
        payload = (payload * (length // max(len(payload), 1) + 1))[:length] if payload else b""
        frames.append((shape, payload, serialized(*SHAPES[shape], payload)))
    total = sum(len(wire) for _, _, wire in frames)
    cuts = sorted(draw(st.lists(st.integers(0, total), max_size=8)))
    return frames, cuts


@given(streams())
def test_frames_come_out_whole_and_in_order_however_the_stream_is_cut(
    stream: tuple[list[tuple[int, bytes, bytes]], list[int]],
) -> None:
    frames, cuts = stream
    wire = b"".join(raw for _, _, raw in frames)
    splitter = FrameSplitter(MAX_SIZE)
    out: list[bytes] = []
    for start, end in zip([0, *cuts], [*cuts, len(wire)], strict=True):
        out += splitter.feed(wire[start:end])
    assert splitter.on
    assert out == [raw for _, _, raw in frames]
    for (shape, payload, _), frame in zip(frames, out, strict=True):
        expected = payload if shape == 0 else None
        assert plain_message(frame) == expected


def test_a_frame_over_the_limit_stops_splitting_and_hands_on_the_rest_as_it_comes() -> None:
    """The endpoint reads every item of a feed that turned the splitter off as raw bytes."""
    small = serialized(Opcode.BINARY, True, False, True, b"ok")
    big = serialized(Opcode.BINARY, True, False, True, bytes(MAX_SIZE + 1))
    splitter = FrameSplitter(MAX_SIZE)
    assert splitter.feed(small + big[:20]) == [small, big[:20]]
    assert not splitter.on
    assert splitter.feed(big[20:30]) == [big[20:30]]


def test_stop_hands_on_what_was_buffered() -> None:
    frame = serialized(Opcode.BINARY, True, False, True, b"kesken")
    splitter = FrameSplitter(MAX_SIZE)
    assert splitter.feed(frame[:5]) == []
    assert splitter.stop() == frame[:5]
    assert splitter.feed(frame[5:]) == [frame[5:]]


@pytest.mark.parametrize("length", [0, 125, 126, 65536])
def test_plain_message_unmasks_every_length_encoding(length: int) -> None:
    payload = bytes(index % 251 for index in range(length))
    assert plain_message(serialized(Opcode.BINARY, True, False, True, payload)) == payload
