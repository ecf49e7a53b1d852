"""A peer that does not read is dropped once it falls `max_buffered_bytes` behind, counted
beyond the largest message it was sent: a fresh client of a large document takes the whole
state in one message, and what is relayed while it downloads must not cut it off."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from collab.endpoint import CollabConnection
from collab.limits import Limits
from collab.stats import CollabStats

LIMIT = 64 * 1024


class StalledTransport:
    """A socket whose reader never reads: everything written stays buffered."""

    def __init__(self) -> None:
        self.buffered = 0
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.buffered += len(data)

    def writelines(self, parts: list[bytes]) -> None:
        self.buffered += sum(map(len, parts))

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def get_extra_info(self, name: str) -> None:
        return None

    def is_closing(self) -> bool:
        return self.aborted

    def abort(self) -> None:
        self.aborted = True


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """Only handed to the connection for its clock, never run."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def connection(
    loop: asyncio.AbstractEventLoop,
) -> tuple[CollabConnection, StalledTransport, CollabStats]:
    stats = CollabStats()
    hub = SimpleNamespace(limits=Limits(max_buffered_bytes=LIMIT), stats=stats)
    peer = CollabConnection(None, SimpleNamespace(connections=set()), {"collab": hub}, loop)
    transport = StalledTransport()
    peer.connection_made(transport)  # type: ignore[arg-type]
    return peer, transport, stats


def test_a_peer_that_falls_behind_by_the_limit_is_dropped(
    loop: asyncio.AbstractEventLoop,
) -> None:
    peer, transport, stats = connection(loop)
    for _ in range((LIMIT + 1000) // 1000):  # the largest message it was sent: 1000 bytes
        peer.send(bytes(1000))
    assert not transport.aborted
    peer.send(bytes(1000))
    assert transport.aborted
    assert stats.refused["slow_peer"] == 1


@pytest.mark.parametrize("in_parts", [False, True], ids=["whole", "in parts"])
def test_a_fresh_client_of_a_document_larger_than_the_limit_keeps_downloading(
    loop: asyncio.AbstractEventLoop, in_parts: bool
) -> None:
    peer, transport, stats = connection(loop)
    state = bytes(4 * LIMIT)  # the whole document, in the answer to its sync step 1
    peer.send((b"header", state[:10], state[10:]) if in_parts else state)
    for _ in range(LIMIT // 1000):
        peer.send(bytes(1000))  # typing relayed while it downloads
    assert not transport.aborted
    peer.send(bytes(1000))
    assert transport.aborted
    assert stats.refused["slow_peer"] == 1
