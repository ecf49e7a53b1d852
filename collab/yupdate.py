"""The structs and the delete set of a Yjs v1 update, read from untrusted bytes, with no IO.

pycrdt applies updates but cannot list what one holds, nor where each inserted item goes; the
write policies need exactly that (see `collab/touched.py`). This reads the v1 layout as yjs
(`src/utils/encoding.js` readClientsStructRefs, `src/structs/Item.js` readItemContent,
`src/utils/DeleteSet.js` readDeleteSet) and lib0 (`decoding.js` readAny) write it, keeping only
what says where a struct belongs: its id and length, its origins, its parent, its map key.
Contents are parsed only to be checked and stepped over.

Every count and length is checked against the bytes left before anything is allocated, nested
`Any` values are walked without recursion, and anything that is not exactly one well-formed
update raises `ProtocolError`.
"""

from __future__ import annotations

import json
from typing import Final, NamedTuple

from collab.protocol import MAX_SAFE_INTEGER, ProtocolError, Reader

ID = tuple[int, int]
"""An item's id: (client, clock)."""

GC: Final = 0
DELETED: Final = 1
JSON: Final = 2
BINARY: Final = 3
STRING: Final = 4
EMBED: Final = 5
FORMAT: Final = 6
TYPE: Final = 7
ANY: Final = 8
DOC: Final = 9
SKIP: Final = 10

_HAS_ORIGIN: Final = 0x80
_HAS_RIGHT_ORIGIN: Final = 0x40
_HAS_PARENT_SUB: Final = 0x20
_TYPE_REFS: Final = range(7)  # Array, Map, Text, XmlElement, XmlFragment, XmlHook, XmlText
_NAMED_TYPE_REFS: Final = (3, 5)  # XmlElement and XmlHook carry a node name
_ANY_KEY: Final = 0
_ANY_VALUE: Final = 1


class Struct(NamedTuple):
    """One struct of an update: a GC or Skip range (`ref` 0 or 10), or an item.

    An item written with an origin or a right origin carries no parent: it belongs where that
    origin does (`parent` and `parent_sub` are None). Otherwise `parent` is a root's name or
    the id of the type item holding it, and `parent_sub` its map key (None in a sequence).
    """

    client: int
    clock: int
    length: int
    ref: int
    origin: ID | None
    right_origin: ID | None
    parent: str | ID | None
    parent_sub: str | None


class DeleteRange(NamedTuple):
    """`length` clocks of `client`, from `clock` on, deleted by the update."""

    client: int
    clock: int
    length: int


class Update(NamedTuple):
    """An update's structs in the order written (grouped by client) and its delete set."""

    structs: list[Struct]
    deletes: list[DeleteRange]


def decode_update(data: bytes) -> Update:
    """Read a whole v1 update; raise ProtocolError for anything else (trailing bytes too)."""
    reader = Reader(data)
    structs: list[Struct] = []
    groups = reader.var_uint()
    if groups * 3 > reader.remaining:  # struct count, client and clock: three bytes at least
        raise ProtocolError(f"update claims {groups} clients in {reader.remaining} bytes")
    for _ in range(groups):
        count = reader.var_uint()
        client = reader.var_uint()
        clock = reader.var_uint()
        if count > reader.remaining:
            raise ProtocolError(f"update claims {count} structs in {reader.remaining} bytes")
        for _ in range(count):
            struct = _struct(reader, client, clock)
            clock += struct.length
            if clock > MAX_SAFE_INTEGER:
                raise ProtocolError("clock out of range")
            structs.append(struct)
    deletes = _delete_set(reader)
    reader.finish()
    return Update(structs, deletes)


def _struct(reader: Reader, client: int, clock: int) -> Struct:
    info = reader.byte()
    ref = info & 0x1F
    if ref in (GC, SKIP):
        return Struct(client, clock, _length(reader), ref, None, None, None, None)
    origin = (reader.var_uint(), reader.var_uint()) if info & _HAS_ORIGIN else None
    right_origin = (reader.var_uint(), reader.var_uint()) if info & _HAS_RIGHT_ORIGIN else None
    parent: str | ID | None = None
    parent_sub = None
    if not info & (_HAS_ORIGIN | _HAS_RIGHT_ORIGIN):
        kind = reader.var_uint()
        if kind == 1:
            parent = reader.var_string()
        elif kind == 0:
            parent = (reader.var_uint(), reader.var_uint())
        else:
            raise ProtocolError(f"unknown parent kind {kind}")
        if info & _HAS_PARENT_SUB:
            parent_sub = reader.var_string()
    length = _content(reader, ref)
    return Struct(client, clock, length, ref, origin, right_origin, parent, parent_sub)


def _length(reader: Reader) -> int:
    length = reader.var_uint()
    if length == 0:
        raise ProtocolError("empty struct")
    return length


def _content(reader: Reader, ref: int) -> int:
    """Check and step over an item's content; return how many clocks it takes."""
    if ref == STRING:
        raw = reader.var_bytes()
        text = _utf8(raw)
        if not text:
            raise ProtocolError("empty struct")
        if len(raw) == len(text):
            return len(text)
        return len(text.encode("utf-16-le")) // 2  # Yjs counts UTF-16 code units
    if ref == ANY:
        count = _length(reader)
        _check_count(reader, count)
        for _ in range(count):
            _skip_any(reader)
        return count
    if ref == DELETED:
        return _length(reader)
    if ref == TYPE:
        type_ref = reader.var_uint()
        if type_ref not in _TYPE_REFS:
            raise ProtocolError(f"unknown type {type_ref}")
        if type_ref in _NAMED_TYPE_REFS:
            reader.var_string()
    elif ref == FORMAT:
        reader.var_string()
        _json(reader.var_string())
    elif ref == EMBED:
        _json(reader.var_string())
    elif ref == BINARY:
        reader.var_bytes()
    elif ref == DOC:
        reader.var_string()
        _skip_any(reader)
    elif ref == JSON:
        count = _length(reader)
        _check_count(reader, count)
        for _ in range(count):
            value = reader.var_string()
            if value != "undefined":
                _json(value)
        return count
    else:
        raise ProtocolError(f"unknown content {ref}")
    return 1


def _skip_any(reader: Reader) -> None:
    """Step over one lib0 `Any` value, nested ones included, without recursion."""
    todo = [_ANY_VALUE]
    while todo:
        if todo.pop() == _ANY_KEY:
            reader.var_string()
            continue
        tag = reader.byte()
        if tag in (127, 126, 121, 120):  # undefined, null, false, true
            continue
        if tag == 125:
            reader.var_int()
        elif tag == 124:
            reader.skip(4)  # float32
        elif tag in (123, 122):
            reader.skip(8)  # float64, bigint64
        elif tag == 119:
            reader.var_string()
        elif tag == 118:
            count = reader.var_uint()
            _check_count(reader, 2 * count)
            todo.extend((_ANY_VALUE, _ANY_KEY) * count)
        elif tag == 117:
            count = reader.var_uint()
            _check_count(reader, count)
            todo.extend((_ANY_VALUE,) * count)
        elif tag == 116:
            reader.var_bytes()
        else:
            raise ProtocolError(f"unknown value tag {tag}")


def _delete_set(reader: Reader) -> list[DeleteRange]:
    deletes: list[DeleteRange] = []
    clients = reader.var_uint()
    _check_count(reader, 2 * clients)
    for _ in range(clients):
        client = reader.var_uint()
        count = reader.var_uint()
        _check_count(reader, 2 * count)
        for _ in range(count):
            clock = reader.var_uint()
            length = reader.var_uint()
            if clock + length > MAX_SAFE_INTEGER:
                raise ProtocolError("clock out of range")
            if length:
                deletes.append(DeleteRange(client, clock, length))
    return deletes


def _check_count(reader: Reader, least_bytes: int) -> None:
    if least_bytes > reader.remaining:
        raise ProtocolError(f"a count needs {least_bytes} bytes, {reader.remaining} left")


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError("string is not valid UTF-8") from exc


def _json(text: str) -> None:
    try:
        json.loads(text)
    except ValueError as exc:
        raise ProtocolError("content is not JSON") from exc
