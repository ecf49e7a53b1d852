"""The wire format on bytes: round trips, every truncation, trailing bytes, hostile lengths."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.protocol import (
    MAX_SAFE_INTEGER,
    AuthDenied,
    AwarenessEntry,
    AwarenessMessage,
    Message,
    ProtocolError,
    QueryAwareness,
    SyncStep1,
    SyncStep2,
    SyncUpdate,
    decode,
    decode_awareness,
    encode,
    encode_awareness,
    encode_parts,
)

SAMPLES: list[Message] = [
    SyncStep1(b""),
    SyncStep1(b"\x01\x8b\xc8\x01\x05"),
    SyncStep2(b"\x00\x00"),
    SyncUpdate(bytes(range(256)) * 70),  # a length that needs a three-byte varUint
    AwarenessMessage(encode_awareness([AwarenessEntry(7, 1, '{"user":"Näkökulma ✓"}')])),
    QueryAwareness(),
    AuthDenied("ei oikeutta"),
]


@pytest.mark.parametrize("message", SAMPLES, ids=lambda m: type(m).__name__)
def test_round_trip(message: Message) -> None:
    assert decode(encode(message)) == message


@pytest.mark.parametrize("message", SAMPLES, ids=lambda m: type(m).__name__)
def test_every_truncation_is_refused(message: Message) -> None:
    data = encode(message)
    for end in range(len(data)):
        with pytest.raises(ProtocolError):
            decode(data[:end])


@pytest.mark.parametrize("message", SAMPLES, ids=lambda m: type(m).__name__)
def test_trailing_bytes_are_refused(message: Message) -> None:
    with pytest.raises(ProtocolError, match="trailing"):
        decode(encode(message) + b"\x00")


def test_a_state_in_parts_is_its_head_and_the_state_itself_uncopied() -> None:
    state = bytes(range(256)) * 70
    head, payload = encode_parts(SyncStep2(state))

    assert head == b"\x00\x01\x80\x8c\x01"
    assert payload is state


def test_wire_layout_of_an_update() -> None:
    assert encode(SyncUpdate(b"\xaa" * 200)) == b"\x00\x02\xc8\x01" + b"\xaa" * 200


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"\x09", "unknown message type 9"),
        (b"\x00\x03\x00", "unknown sync message type 3"),
        (b"\x02\x01\x00", "unknown auth message type 1"),
        (b"\x00\x02\x05abc", "declared length 5 exceeds the 3 bytes left"),
        (b"\x00\x02\xff\xff\xff\xff\xff\xff\xff\xff\x01", "out of range"),
        (b"\x02\x00\x02\xc3\x28", "not valid UTF-8"),
    ],
)
def test_malformed_messages(data: bytes, match: str) -> None:
    with pytest.raises(ProtocolError, match=match):
        decode(data)


def test_largest_safe_integer_is_accepted_and_the_next_refused() -> None:
    entry = AwarenessEntry(MAX_SAFE_INTEGER, 1, "{}")
    assert decode_awareness(encode_awareness([entry])) == [entry]
    with pytest.raises(ValueError, match="not an unsigned safe integer"):
        encode_awareness([AwarenessEntry(MAX_SAFE_INTEGER + 1, 1, "{}")])
    too_big = b"\x01" + b"\x80\x80\x80\x80\x80\x80\x80\x10" + b"\x01\x02{}"
    with pytest.raises(ProtocolError, match="out of range"):
        decode_awareness(too_big)


def test_awareness_entry_count_cannot_exceed_the_bytes() -> None:
    with pytest.raises(ProtocolError, match="claims 1000000 entries"):
        decode_awareness(b"\xc0\x84\x3d\x01\x01\x00")


def test_awareness_strings_are_counted_in_utf8_bytes() -> None:
    state = '{"name":"Äänestäjä ✓"}'
    encoded = encode_awareness([AwarenessEntry(1, 2, state)])
    assert encoded[3] == len(state.encode("utf-8"))
    assert decode_awareness(encoded)[0].state == state


@given(st.binary(max_size=64))
def test_random_bytes_only_ever_raise_protocol_error(data: bytes) -> None:
    try:
        message = decode(data)
    except ProtocolError:
        return
    assert encode(message) == data


@given(st.binary(max_size=64))
def test_random_awareness_only_ever_raises_protocol_error(data: bytes) -> None:
    try:
        entries = decode_awareness(data)
    except ProtocolError:
        return
    assert decode_awareness(encode_awareness(entries)) == entries
