"""The v1 update decoder against yjs's own decoding, and on every kind of broken input.

The vectors are made by the real yjs (tests/js/make_update_vectors.mjs, kept fresh by
tests/integration/test_update_vectors_fresh.py): for each update, `decoded` is what
`Y.decodeUpdate` reads from it.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Map, Text

from collab.protocol import MAX_SAFE_INTEGER, ProtocolError
from collab.touched import DocumentIndex
from collab.yupdate import GC, DeleteRange, Struct, decode_update

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "vectors" / "yjs_updates.json").read_text()
)["vectors"]
UPDATES: list[tuple[str, bytes, dict[str, Any]]] = [
    (f"{vector['name']}[{number}]", bytes.fromhex(step["update_hex"]), step["decoded"])
    for vector in VECTORS
    for number, step in enumerate(vector["steps"])
] + [
    (f"{vector['name']}[base]", bytes.fromhex(vector["base_hex"]), vector["base_decoded"])
    for vector in VECTORS
    if vector["base_decoded"] is not None
]


GROUP = b"\x01\x01\x05\x00"  # one client group of one struct: client 5 from clock 0


def _id(value: list[int] | None) -> tuple[int, int] | None:
    return None if value is None else (value[0], value[1])


def as_yjs_reads_it(decoded: dict[str, Any]) -> tuple[list[Struct], list[DeleteRange]]:
    structs = [
        Struct(
            s["client"],
            s["clock"],
            s["length"],
            s["ref"],
            _id(s["origin"]),
            _id(s["right_origin"]),
            _id(s["parent"]) if isinstance(s["parent"], list) else s["parent"],
            s["parent_sub"],
        )
        for s in decoded["structs"]
    ]
    return structs, [DeleteRange(*d) for d in decoded["deletes"]]


@pytest.mark.parametrize(("name", "update", "decoded"), UPDATES, ids=[u[0] for u in UPDATES])
def test_reads_what_yjs_reads(name: str, update: bytes, decoded: dict[str, Any]) -> None:
    structs, deletes = as_yjs_reads_it(decoded)
    assert decode_update(update) == (structs, deletes)


def test_the_vectors_cover_every_content_kind_and_forward_references() -> None:
    """Guards the generator: dropping a case would silently weaken the decoder's tests."""
    refs = {s.ref for _, update, _ in UPDATES for s in decode_update(update).structs}
    assert refs == set(range(10)) - {2}  # all but JSON, which yjs no longer writes (see below)
    clients = {s.client for _, update, _ in UPDATES for s in decode_update(update).structs}
    assert {MAX_SAFE_INTEGER, 2**31 + 7} <= clients
    # A full state whose items name parents written later in the bytes (yjs writes clients in
    # descending order, the seed's client 1 last).
    base = next(u for n, u, _ in UPDATES if n == "step2_many_clients[base]")
    structs = decode_update(base).structs
    first_at: dict[int, int] = {}
    for position, struct in enumerate(structs):
        first_at.setdefault(struct.client, position)
    assert any(
        isinstance(s.parent, tuple) and first_at[s.parent[0]] > position
        for position, s in enumerate(structs)
    )


def test_legacy_json_content_is_read() -> None:
    """Content ref 2 (yjs no longer writes it): a count, then JSON texts or "undefined"."""
    update = GROUP + b"\x22\x01\x01m\x01a" + b"\x02\x05[1,2]\x09undefined" + b"\x00"
    assert decode_update(update).structs == [Struct(5, 0, 2, 2, None, None, "m", "a")]


def test_string_length_counts_utf16_code_units() -> None:
    doc: Doc[Any] = Doc(client_id=7)
    text = doc.get("t", type=Text)
    text.insert(0, "ä😀x")  # 1 + 2 + 1 code units
    assert decode_update(doc.get_update()).structs[0].length == 4


def test_a_full_state_with_garbage_collected_items() -> None:
    doc: Doc[Any] = Doc(client_id=3)
    items = doc.get("m", type=Map)
    items["a"] = Map({"t": Text("abc")})
    del items["a"]
    structs = decode_update(doc.get_update()).structs
    assert [(s.ref, s.length) for s in structs] == [(1, 1), (GC, 4)]


@pytest.mark.parametrize(("name", "update", "decoded"), UPDATES, ids=[u[0] for u in UPDATES])
def test_every_truncation_and_trailing_bytes_are_refused(
    name: str, update: bytes, decoded: dict[str, Any]
) -> None:
    for end in range(len(update)):
        with pytest.raises(ProtocolError):
            decode_update(update[:end])
    with pytest.raises(ProtocolError, match="trailing"):
        decode_update(update + b"\x00")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (GROUP + b"\x0b\x01\x01m\x00", "unknown content 11"),
        (GROUP + b"\x07\x01\x01m\x07", "unknown type 7"),
        (GROUP + b"\x04\x02", "unknown parent kind 2"),
        (GROUP + b"\x08\x01\x01m\x01\x70\x00", "unknown value tag 112"),
        (GROUP + b"\x04\x01\x01m\x02\xc3\x28\x00", "not valid UTF-8"),
        (GROUP + b"\x05\x01\x01m\x03{x}\x00", "not JSON"),
        (GROUP + b"\x04\x01\x01m\x00\x00", "empty struct"),
        (GROUP + b"\x00\x00\x00", "empty struct"),
        (b"\x01\x01\x05\xff\xff\xff\xff\xff\xff\xff\x0f\x00\x05\x00", "clock out of range"),
        (b"\x00\x01\x05\x01\xff\xff\xff\xff\xff\xff\xff\x0f\x05", "clock out of range"),
        (b"\xff\xff\x03\x00", "claims 65535 clients"),
        (b"\x01\xff\x7f\x05\x00\x00", "claims 16383 structs"),
        (GROUP + b"\x08\x01\x01m\x01\x76\xff\x7f", "a count needs"),
        (b"\x00\x7f\x00", "a count needs"),
        (GROUP + b"\x08\x01\x01m\x01\x7d\xff\xff\xff\xff\xff\xff\xff\xff\x01", "out of range"),
        (GROUP + b"\x08\x01\x01m\x01\x7b\x00\x00", "8 bytes wanted"),
    ],
)
def test_malformed_updates(data: bytes, match: str) -> None:
    with pytest.raises(ProtocolError, match=match):
        decode_update(data)


def test_deeply_nested_values_are_read_without_recursion() -> None:
    depth = 200_000
    value = b"\x75\x01" * depth + b"\x7e"  # arrays of one array of ... of null
    decode_update(GROUP + b"\x08\x01\x01m\x01" + value + b"\x00")


def test_any_values_of_every_tag() -> None:
    values = [
        b"\x7f",  # undefined
        b"\x7e",  # null
        b"\x7d\xc1\x01",  # -65 as a varInt
        b"\x7c\x3f\xc0\x00\x00",  # float32 1.5
        b"\x7b" + bytes(8),  # float64
        b"\x7a" + bytes(8),  # bigint64
        b"\x79",  # false
        b"\x78",  # true
        b"\x77\x02\xc3\xa4",  # "ä"
        b"\x76\x02\x01a\x7e\x01b\x75\x01\x78",  # {a: null, b: [true]}
        b"\x74\x02\x01\x02",  # Uint8Array [1, 2]
    ]
    update = GROUP + b"\x08\x01\x01m" + bytes([len(values)]) + b"".join(values) + b"\x00"
    assert decode_update(update).structs == [Struct(5, 0, len(values), 8, None, None, "m", None)]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_decode_or_raise_protocol_error(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        structs, deletes = decode_update(data)
        assert all(s.length > 0 for s in structs)
        assert all(d.length > 0 for d in deletes)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(UPDATES), st.data())
def test_mutated_updates_decode_and_plan_or_raise_protocol_error(
    case: tuple[str, bytes, dict[str, Any]], data: st.DataObject
) -> None:
    update = bytearray(case[1])
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(update) - 1))
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        if action == "flip":
            update[position] ^= 1 << data.draw(st.integers(0, 7))
        elif action == "insert":
            update.insert(position, data.draw(st.integers(0, 255)))
        elif len(update) > 1:
            del update[position]
    base = next(v for v in VECTORS if case[0].startswith(v["name"] + "["))["base_hex"]
    index = DocumentIndex.from_state(bytes.fromhex(base))
    with contextlib.suppress(ProtocolError):
        index.commit(index.plan(bytes(update)))
