"""A room's document, built on first use, and the peers that joined before it was built.

A room loaded from a checkpoint builds its document only when something needs it (see
collab.lazy_doc): a fresh client's sync is answered from the checkpoint's bytes first, and the
room's state vector (our sync step 1, the greeting every peer gets on joining) follows once the
document is built, right after that answer has left.

"Left", not "was written": a whole state of megabytes rarely fits the socket's buffer at once,
and the rest goes out only while the event loop is free, which it is not while pycrdt builds the
document (~40 ms for 100,000 edits, holding the GIL). Building at once kept a fresh client of a
100k-edit document waiting 80-100 ms instead of 25-30 (tests/bench, cold load) whenever the
answer did not fit, so the build waits until the waiting peers' buffers are empty, within a
patience: a peer on a slow link must not keep the greeting from the others for long.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping

import structlog

from collab.crdt import InvalidUpdate, diff_since
from collab.lazy_doc import EMPTY_STATE_VECTOR, LazyDoc
from collab.peer import Framer, Peer
from collab.protocol import SyncStep1, encode

log = structlog.get_logger(__name__)

DRAIN_POLL_SECONDS = 0.002  # how often a build waiting for the answers to leave looks again
DRAIN_PATIENCE_SECONDS = 0.5  # the longest it waits for them


class RoomDocument:
    """The room's LazyDoc; greets joining peers with our state vector once it is built."""

    __slots__ = (
        "_document",
        "_frame",
        "_name",
        "_patience_ends",
        "_peers",
        "_scheduled",
        "_unbuildable",
        "_ungreeted",
    )

    def __init__(
        self,
        name: str,
        document: LazyDoc,
        *,
        peers: Mapping[Peer, object],
        frame: Framer,
        unbuildable: Callable[[], None],
    ) -> None:
        self._name = name
        self._document = document
        self._peers = peers  # the room's, kept current by the room
        self._frame = frame
        self._unbuildable = unbuildable  # ends the room, as a failed load would have
        self._ungreeted: list[Peer] = []
        self._scheduled = False
        self._patience_ends = 0.0

    @property
    def lazy(self) -> LazyDoc:
        """The document as it is, built or not (see LazyDoc.encoded, which needs no build)."""
        return self._document

    def live(self) -> LazyDoc:
        """The document, built now if it was not yet; raises InvalidUpdate if it cannot be."""
        if not self._document.built:
            self._build()
        return self._document

    def missing(self, state_vector: bytes) -> tuple[bytes | None, bytes]:
        """What a peer holding `state_vector` lacks (InvalidUpdate if it cannot be read), as an
        update to send before our answer (None if there is none) and the answer's update: for
        a peer that has nothing, the whole state as LazyDoc.whole gives it, without a build."""
        if state_vector == EMPTY_STATE_VECTOR:
            return self._document.whole()
        return None, diff_since(self.live().get(), state_vector)

    def greet(self, peer: Peer) -> None:
        """Send a joining peer our state vector, or once the document is built."""
        if self._document.built:
            peer.send(self._frame(encode(SyncStep1(self._document.state_vector()))))
        else:
            self._ungreeted.append(peer)

    def answered(self) -> None:
        """A peer's message was handled (its sync step 1 answered): build once the answers have
        left (see the module docstring) if someone waits for our greeting."""
        if self._ungreeted and not self._scheduled:
            self._scheduled = True
            loop = asyncio.get_running_loop()
            self._patience_ends = loop.time() + DRAIN_PATIENCE_SECONDS
            loop.call_soon(self._build_soon)

    def abandon(self) -> None:
        """The room failed: nobody is greeted any more."""
        self._ungreeted.clear()

    def _build(self) -> None:
        try:
            self._document.get()
        except InvalidUpdate as exc:
            log.error("document_build_failed", document=self._name, error=str(exc))
            self._ungreeted.clear()
            self._unbuildable()
            raise
        ungreeted, self._ungreeted = self._ungreeted, []
        if ungreeted:
            frame = self._frame(encode(SyncStep1(self._document.state_vector())))
            for peer in ungreeted:
                if peer in self._peers:
                    peer.send(frame)

    def _build_soon(self) -> None:
        self._scheduled = False
        waiting = [peer for peer in self._ungreeted if peer in self._peers]
        if not waiting or self._document.built:
            return
        loop = asyncio.get_running_loop()
        if any(peer.buffered() for peer in waiting) and loop.time() < self._patience_ends:
            self._scheduled = True
            loop.call_later(DRAIN_POLL_SECONDS, self._build_soon)
            return
        with contextlib.suppress(InvalidUpdate):  # already logged and handled by _build
            self._build()
