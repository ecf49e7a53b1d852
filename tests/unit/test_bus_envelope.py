"""The bus envelope: what one server process tells the others, in bytes."""

from __future__ import annotations

import pytest

from collab.bus import BusEnvelopeError, BusKind, BusMessage, decode_envelope, encode_envelope


@pytest.mark.parametrize("kind", list(BusKind))
def test_a_message_survives_the_round_trip(kind: BusKind) -> None:
    message = BusMessage("workshop.comments", kind, b"\x00\x01payload\xff", "node-7", 2**40 + 3)
    assert decode_envelope("workshop.comments", encode_envelope(message)) == message


def test_an_empty_payload_survives_the_round_trip() -> None:
    message = BusMessage("d", BusKind.RESYNC, b"", "origin")
    assert decode_envelope("d", encode_envelope(message)) == message


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        (b"", "shorter than its header"),
        (b"\x01" + bytes(8), "shorter than its header"),
        (b"\x01" + bytes(8) + b"\x05abc", "ends inside its origin"),
        (b"\x09" + bytes(8) + b"\x01a", "header is invalid"),
        (b"\x01" + bytes(8) + b"\x01\xff", "header is invalid"),
    ],
)
def test_bytes_no_server_wrote_are_refused(data: bytes, complaint: str) -> None:
    with pytest.raises(BusEnvelopeError, match=complaint):
        decode_envelope("d", data)


def test_an_overlong_origin_is_refused_when_encoding() -> None:
    with pytest.raises(ValueError, match="longer than 255"):
        encode_envelope(BusMessage("d", BusKind.UPDATE, b"", "x" * 256))
