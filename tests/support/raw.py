"""A deliberately bad websocket client: arbitrary frames, no automatic pongs, raw close codes."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass
class RawSocket:
    """An upgraded connection read and written frame by frame, by hand."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    async def send_frame(self, opcode: int, payload: bytes, *, fin: bool = True) -> None:
        mask = os.urandom(4)
        head = bytes([(0x80 if fin else 0) | opcode])
        length = len(payload)
        if length < 126:
            head += bytes([0x80 | length])
        elif length < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(head + mask + masked)
        await self.writer.drain()

    async def send_binary(self, payload: bytes) -> None:
        await self.send_frame(0x2, payload)

    async def read_frame(self) -> tuple[int, bytes]:
        first, second = await self.reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
        return first & 0x0F, await self.reader.readexactly(length)

    async def close_code(self, timeout: float) -> int | None:
        """Read (never answering pings) until the server's close frame; its code, or None at EOF."""
        async with asyncio.timeout(timeout):
            while True:
                try:
                    opcode, payload = await self.read_frame()
                except asyncio.IncompleteReadError:
                    return None
                if opcode == 0x8:
                    return int(struct.unpack("!H", payload[:2])[0]) if payload else 1005

    async def binary_message_with(self, part: bytes, timeout: float = 5.0) -> bytes:
        """The first binary message that contains `part` (others are read and dropped)."""
        async with asyncio.timeout(timeout):
            while True:
                opcode, payload = await self.read_frame()
                if opcode == 0x2 and part in payload:
                    return payload

    async def binary_messages(self, timeout: float) -> list[bytes]:
        """Every binary message that arrives within `timeout` (the connection stays open)."""
        messages: list[bytes] = []
        try:
            async with asyncio.timeout(timeout):
                while True:
                    opcode, payload = await self.read_frame()
                    if opcode == 0x2:
                        messages.append(payload)
        except TimeoutError:
            return messages


@contextlib.asynccontextmanager
async def raw_connect(
    port: int, path: str, headers: dict[str, str] | None = None
) -> AsyncIterator[tuple[int, RawSocket]]:
    """Send the upgrade request; yield the HTTP status and the socket, closed at exit."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        yield await _upgrade(port, path, headers, reader, writer)
    finally:
        writer.transport.abort()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def _upgrade(
    port: int,
    path: str,
    headers: dict[str, str] | None,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> tuple[int, RawSocket]:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
        f"Sec-WebSocket-Key: {key}",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    status_line = await reader.readline()
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    return int(status_line.split()[1]), RawSocket(reader, writer)
