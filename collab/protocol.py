"""The y-websocket wire format (y-protocols sync, awareness, auth), with no IO.

Every length and integer read from the wire is bounds-checked here, because pycrdt's own
decoder trusts declared lengths. Anything that does not parse as exactly one message raises
`ProtocolError`; callers map that to a close code in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

MESSAGE_SYNC = 0
MESSAGE_AWARENESS = 1
MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3

SYNC_STEP1 = 0
SYNC_STEP2 = 1
SYNC_UPDATE = 2

AUTH_PERMISSION_DENIED = 0

EMPTY_UPDATE = b"\x00\x00"
"""What Yjs encodes for "nothing": no structs, an empty delete set. Clients answer the server's
step 1 with it whenever they have nothing new; logging it would only grow the log."""

# lib0 encodes integers as JavaScript numbers: anything past 2**53 - 1 cannot come from a client.
MAX_SAFE_INTEGER = 2**53 - 1
_MAX_VARUINT_BYTES = 8  # 8 x 7 bits = 56 bits, enough for any safe integer


class ProtocolError(ValueError):
    """The bytes are not one well-formed y-protocols message."""


@dataclass(frozen=True, slots=True)
class SyncStep1:
    """A peer's state vector: 'send me what I am missing'."""

    state_vector: bytes


@dataclass(frozen=True, slots=True)
class SyncStep2:
    """The answer to a step 1: every update the asker was missing."""

    update: bytes


@dataclass(frozen=True, slots=True)
class SyncUpdate:
    """An incremental update produced by an edit."""

    update: bytes


@dataclass(frozen=True, slots=True)
class AwarenessMessage:
    """An encoded awareness update (see `decode_awareness`)."""

    update: bytes


@dataclass(frozen=True, slots=True)
class QueryAwareness:
    """A request for every awareness state the receiver knows."""


@dataclass(frozen=True, slots=True)
class AuthDenied:
    """The server's refusal; y-websocket shows the reason and stops reconnecting."""

    reason: str


Message = SyncStep1 | SyncStep2 | SyncUpdate | AwarenessMessage | QueryAwareness | AuthDenied


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    """One client's awareness: `state` is its JSON text, "null" when the client went away."""

    client_id: int
    clock: int
    state: str

    @property
    def removed(self) -> bool:
        return self.state == "null"


class Reader:
    """A cursor over untrusted bytes; every read checks what is left."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def var_uint(self) -> int:
        data = self.data
        pos = self.pos
        if pos < len(data) and data[pos] < 0x80:  # one byte: every message type, most lengths
            self.pos = pos + 1
            return data[pos]
        value = 0
        shift = 0
        last = pos + _MAX_VARUINT_BYTES
        while pos < len(data):
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                self.pos = pos
                if value > MAX_SAFE_INTEGER:
                    raise ProtocolError("integer out of range")
                return value
            if pos == last:
                raise ProtocolError("integer out of range")
            shift += 7
        raise ProtocolError("truncated integer")

    def var_int(self) -> int:
        """A lib0 signed varInt: six value bits, a sign bit and a continuation bit first."""
        first = self.byte()
        value = first & 0x3F
        shift = 6
        byte = first
        while byte & 0x80:
            if shift >= 6 + 7 * (_MAX_VARUINT_BYTES - 1):
                raise ProtocolError("integer out of range")
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            shift += 7
        if value > MAX_SAFE_INTEGER:
            raise ProtocolError("integer out of range")
        return -value if first & 0x40 else value

    def byte(self) -> int:
        pos = self.pos
        if pos >= len(self.data):
            raise ProtocolError("truncated: a byte is missing")
        self.pos = pos + 1
        return self.data[pos]

    def skip(self, count: int) -> None:
        """Step over `count` bytes of fixed-size data (a float, a bigint)."""
        if self.pos + count > len(self.data):
            raise ProtocolError(f"{count} bytes wanted, {self.remaining} left")
        self.pos += count

    def var_bytes(self) -> bytes:
        length = self.var_uint()
        end = self.pos + length
        if end > len(self.data):
            raise ProtocolError(f"declared length {length} exceeds the {self.remaining} bytes left")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def var_string(self) -> str:
        try:
            return self.var_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError("string is not valid UTF-8") from exc

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos

    def finish(self) -> None:
        if self.pos != len(self.data):
            raise ProtocolError(f"{self.remaining} trailing bytes after the message")


def _write_var_uint(out: bytearray, value: int) -> None:
    if value < 0 or value > MAX_SAFE_INTEGER:
        raise ValueError(f"{value} is not an unsigned safe integer")
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _write_var_bytes(out: bytearray, data: bytes) -> None:
    _write_var_uint(out, len(data))
    out += data


def decode(data: bytes) -> Message:
    """Parse exactly one message; raise ProtocolError for anything else."""
    reader = Reader(data)
    kind = reader.var_uint()
    message: Message
    if kind == MESSAGE_SYNC:
        sub = reader.var_uint()
        payload = reader.var_bytes()
        if sub == SYNC_UPDATE:
            message = SyncUpdate(payload)
        elif sub == SYNC_STEP2:
            message = SyncStep2(payload)
        elif sub == SYNC_STEP1:
            message = SyncStep1(payload)
        else:
            raise ProtocolError(f"unknown sync message type {sub}")
    elif kind == MESSAGE_AWARENESS:
        message = AwarenessMessage(reader.var_bytes())
    elif kind == MESSAGE_QUERY_AWARENESS:
        message = QueryAwareness()
    elif kind == MESSAGE_AUTH:
        sub = reader.var_uint()
        if sub != AUTH_PERMISSION_DENIED:
            raise ProtocolError(f"unknown auth message type {sub}")
        message = AuthDenied(reader.var_string())
    else:
        raise ProtocolError(f"unknown message type {kind}")
    reader.finish()
    return message


def encode(message: Message) -> bytes:
    """The wire bytes of one message, as y-protocols writes them."""
    return b"".join(encode_parts(message))


def encode_parts(message: Message) -> tuple[bytes, bytes]:
    """The wire bytes of one message in two parts, its head and its payload, so that whoever
    frames it copies the payload once (a whole document's state can be megabytes)."""
    head = bytearray()
    if isinstance(message, SyncUpdate):
        head += b"\x00\x02"
        payload = message.update
    elif isinstance(message, SyncStep2):
        head += b"\x00\x01"
        payload = message.update
    elif isinstance(message, SyncStep1):
        head += b"\x00\x00"
        payload = message.state_vector
    elif isinstance(message, AwarenessMessage):
        head.append(MESSAGE_AWARENESS)
        payload = message.update
    elif isinstance(message, QueryAwareness):
        return bytes((MESSAGE_QUERY_AWARENESS,)), b""
    else:
        head.append(MESSAGE_AUTH)
        head.append(AUTH_PERMISSION_DENIED)
        payload = message.reason.encode("utf-8")
    _write_var_uint(head, len(payload))
    return bytes(head), payload


def decode_awareness(update: bytes) -> list[AwarenessEntry]:
    """Parse an awareness update into its entries (the JSON text is not parsed here)."""
    reader = Reader(update)
    count = reader.var_uint()
    # Each entry takes at least three bytes: a count past that is a lie, not a big update.
    if count * 3 > reader.remaining:
        raise ProtocolError(f"awareness update claims {count} entries in {reader.remaining} bytes")
    entries = [
        AwarenessEntry(reader.var_uint(), reader.var_uint(), reader.var_string())
        for _ in range(count)
    ]
    reader.finish()
    return entries


def encode_awareness(entries: list[AwarenessEntry]) -> bytes:
    """The awareness update carrying these entries, as y-protocols' awareness.js writes it."""
    out = bytearray()
    _write_var_uint(out, len(entries))
    for entry in entries:
        _write_var_uint(out, entry.client_id)
        _write_var_uint(out, entry.clock)
        _write_var_bytes(out, entry.state.encode("utf-8"))
    return bytes(out)
