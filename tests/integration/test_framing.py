"""The endpoint reads plain binary frames itself and leaves every other frame to `websockets`
(collab/frames.py): a client mixing them, with its frames cut across TCP writes, is served
exactly as one sending each message in one write."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from pycrdt import Doc, Text

from collab.protocol import SyncStep1, SyncUpdate, encode
from tests.support.conditions import wait_until
from tests.support.pyclient import python_client
from tests.support.raw import RawSocket, raw_connect
from tests.support.server import ServerProcess


def masked(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    """A client frame (payloads under 126 bytes)."""
    assert len(payload) < 126
    mask = os.urandom(4)
    body = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    return bytes(((0x80 if fin else 0) | opcode, 0x80 | len(payload))) + mask + body


async def send_in_pieces(sock: RawSocket, wire: bytes, piece: int) -> None:
    """Write `wire` a few bytes at a time, each write on its own (cut across frame headers)."""
    for start in range(0, len(wire), piece):
        sock.writer.write(wire[start : start + piece])
        await sock.writer.drain()


@pytest.mark.asyncio
async def test_frames_cut_fragmented_and_mixed_with_pings_are_all_applied(
    server: ServerProcess,
) -> None:
    source: Doc[Any] = Doc()
    text = source.get("t", type=Text)
    updates = []
    for word in ("yksi ", "kaksi ", "kolme ", "neljä"):
        before = source.get_state()
        text.insert(len(text), word)
        updates.append(encode(SyncUpdate(source.get_update(before))))
    second = updates[1]
    async with raw_connect(server.port, "/collab/framing") as (status, sock):
        assert status == 101
        wire = (
            masked(0x2, encode(SyncStep1(b"\x00")))
            + masked(0x2, updates[0])
            + masked(0x9, b"onko siella")
            + masked(0x2, second[:5], fin=False)
            + masked(0x0, second[5:9], fin=False)
            + masked(0x9, b"valissa")
            + masked(0x0, second[9:])
            + masked(0x2, updates[2])
            + masked(0x2, updates[3])
        )
        await send_in_pieces(sock, wire, 3)
        pongs: list[bytes] = []
        async with asyncio.timeout(5):
            while len(pongs) < 2:
                opcode, payload = await sock.read_frame()
                if opcode == 0xA:
                    pongs.append(payload)
        assert pongs == [b"onko siella", b"valissa"]
        async with python_client(server.http_url, "framing") as witness:
            await wait_until(
                lambda: str(witness.get("t", type=Text)) == "yksi kaksi kolme neljä",
                what="every update, in order",
            )
