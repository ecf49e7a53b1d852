"""Websocket frames without the `websockets` library on the hot paths: a client's byte
stream split into whole frames, the common one unmasked here, and the server's frames built.

Why: nearly every frame a client sends is one masked binary message in one frame (a Yjs
update or sync message). The `websockets` library parses frames with generator coroutines,
which cost about a tenth of the server's time per update at 1,000 updates/s (py-spy, ten
rooms of ten). So the endpoint splits the stream itself (only the header's length fields are
read) and unmasks those frames here; every other frame (control frames, fragments, text,
reserved bits, unmasked ones) goes to `websockets` whole, which therefore always stands at a
frame boundary and keeps every rule it enforces: pings, closing, fragmentation, errors.

Pure: bytes in, frames out (a big one in parts, see `binary_frame`). A frame longer than
`max_size` stops the splitting: it and everything after it go to `websockets` as they come,
which refuses it (1009) as it would have.
"""

from __future__ import annotations

import struct

try:
    from websockets.speedups import apply_mask
except ImportError:  # a platform without the library's C extension: its own fallback
    from websockets.utils import apply_mask

from websockets.frames import Opcode

from collab.peer import Frame

_FIN_BINARY = 0x82  # FIN, no reserved bits, opcode 2
_MASKED = 0x80
PARTS_FROM_BYTES = 64 * 1024  # frames from this long are sent in parts (see binary_frame)


class FrameSplitter:
    """Whole frames out of a byte stream, in order; off once told, or at a frame too long."""

    __slots__ = ("_max_size", "_pending", "on")

    def __init__(self, max_size: int) -> None:
        self._max_size = max_size
        self._pending = b""
        self.on = True

    def feed(self, data: bytes) -> list[bytes]:
        """The whole frames `data` completes, in order; once off, the bytes as they come."""
        if not self.on:
            return [data] if data else []
        buffer = self._pending + data if self._pending else data
        frames: list[bytes] = []
        start, size = 0, len(buffer)
        while size - start >= 2:
            length = buffer[start + 1] & 0x7F
            header = 2
            if length == 126:
                header = 4
                if size - start < header:
                    break
                length = int.from_bytes(buffer[start + 2 : start + 4], "big")
            elif length == 127:
                header = 10
                if size - start < header:
                    break
                length = int.from_bytes(buffer[start + 2 : start + 10], "big")
            if length > self._max_size:
                self.on = False
                frames.append(buffer[start:])
                self._pending = b""
                return frames
            if buffer[start + 1] & _MASKED:
                header += 4
            end = start + header + length
            if end > size:
                break
            frames.append(buffer[start:end])
            start = end
        self._pending = buffer[start:]
        return frames

    def stop(self) -> bytes:
        """Split no more; what was buffered, to hand on as it is."""
        self.on = False
        pending, self._pending = self._pending, b""
        return pending


def plain_message(frame: bytes) -> bytes | None:
    """The payload of a whole, masked, unfragmented binary frame without reserved bits,
    unmasked; None for any other frame."""
    if len(frame) < 6 or frame[0] != _FIN_BINARY or not frame[1] & _MASKED:
        return None
    length = frame[1] & 0x7F
    mask_at = 2 if length < 126 else 4 if length == 126 else 10
    return apply_mask(frame[mask_at + 4 :], frame[mask_at : mask_at + 4])


def binary_frame(*parts: bytes) -> Frame:
    """An unmasked server frame of the message made of `parts`: identical for every peer, so a
    broadcast encodes it once.

    The same bytes as websockets' `Frame(Opcode.BINARY, message).serialize(mask=False)` (the
    tests compare them), built without its BytesIO, which copies the payload twice. A sync
    answer can carry a whole document of several megabytes: from PARTS_FROM_BYTES on, the
    frame is its header and the message's parts, never copied (the transport writes them in
    one system call): each copy of 4 MB into fresh memory cost 2-25 ms in a server just
    started, mostly page faults; a fresh client of a 100k-update document after a restart
    waited a median of 20.6 ms instead of 21.8 (16 restarts each, alternated). RFC 6455 5.2:
    FIN and the binary opcode, then the length in 7 bits, or 126 and 16 bits, or 127 and 64
    bits; no mask.
    """
    length = sum(map(len, parts))
    if length < 126:
        header = bytes((_FIN_BINARY, length))
    elif length < 65536:
        header = struct.pack("!BBH", _FIN_BINARY, 126, length)
    else:
        header = struct.pack("!BBQ", _FIN_BINARY, 127, length)
    if length >= PARTS_FROM_BYTES:
        return (header, *parts)
    return b"".join((header, *parts))


class TextFrame(Exception):
    """A client sent text: every Yjs client sends binary, so the connection is refused."""


class Fragments:
    """Whole binary messages out of the data frames `websockets` parsed (the frames the
    splitter hands it whole, and every frame once it is off): a message may come in
    fragments, which `websockets` checks for order and size but does not join."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def take(self, opcode: Opcode, data: bytes, fin: bool) -> bytes | None:
        """The message this frame completes, if any (None for control frames); raises
        TextFrame for a text frame."""
        if opcode is Opcode.BINARY:
            if fin:
                return data
            self._parts = [data]
        elif opcode is Opcode.CONT:
            self._parts.append(data)
            if fin:
                message = b"".join(self._parts)
                self._parts = []
                return message
        elif opcode is Opcode.TEXT:
            raise TextFrame
        return None
