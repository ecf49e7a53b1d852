"""A room's awareness as its peers see it: who is here, relayed to every peer (the sender
included, as y-websocket expects: the echo keeps idle connections open), told to late joiners
at once, and carried to the other server processes serving the document."""

from __future__ import annotations

from collections.abc import Callable, Collection

import structlog

from collab.awareness import AwarenessRegistry
from collab.peer import Frame, Framer, Peer
from collab.protocol import AwarenessEntry, AwarenessMessage, encode, encode_awareness
from collab.session import RelayAwareness

log = structlog.get_logger(__name__)


def _message(entries: list[AwarenessEntry]) -> bytes:
    return encode(AwarenessMessage(encode_awareness(entries)))


class Presence:
    """The awareness registry of one room and its relaying."""

    def __init__(
        self,
        document: str,
        max_ids_per_peer: int,
        *,
        peers: Collection[Peer],
        frame: Framer,
        publish: Callable[[bytes], None],
        refused: Callable[[str], None],
    ) -> None:
        self.registry: AwarenessRegistry[Peer | str] = AwarenessRegistry(max_ids_per_peer)
        self._document = document
        self._peers = peers
        self._frame = frame
        self._publish = publish
        self._refused = refused

    def greet(self, peer: Peer, now: float) -> None:
        """Tell a peer everyone present, if anyone is (also the answer to its query)."""
        present = self.registry.present(now)
        if present:
            peer.send(self._frame(_message(present)))

    def left(self, peer: Peer) -> None:
        """Everyone learns that the client ids this peer introduced are gone."""
        removals = self.registry.release(peer)
        if removals:
            self._relay(_message(removals))

    def relay(self, peer: Peer, effect: RelayAwareness, now: float) -> None:
        """A peer's awareness update: what it may say, to everyone (entries for ids another
        live connection owns are dropped; see AwarenessRegistry)."""
        accepted, refused = self.registry.apply(peer, effect.entries, now)
        if refused:
            self._refused("awareness_not_owned")
            log.warning(
                "awareness_refused",
                document=self._document,
                peer=peer.label,
                reason="entries for client ids this connection does not own",
                entries=refused,
            )
        if refused or effect.rewritten:
            if accepted:
                self._relay(_message(accepted))
        else:
            self._relay(effect.message)

    def remote(self, entries: list[AwarenessEntry], origin: str, now: float) -> None:
        """Awareness another process relayed to its peers: what is new, to ours."""
        accepted, _ = self.registry.apply(f"node:{origin}", entries, now, limited=False)
        if accepted:
            self._send_all(self._frame(_message(accepted)))

    def _relay(self, message: bytes) -> None:
        self._send_all(self._frame(message))
        self._publish(message)

    def _send_all(self, frame: Frame) -> None:
        for peer in self._peers:
            peer.send(frame)
