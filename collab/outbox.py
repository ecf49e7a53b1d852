"""What a room holds back until the commit that makes it safe to show returns.

Every update a room applies gets a ticket, handed to the committer with it. Every frame that
would reveal an applied update to another peer (its relay, or a step 2 answer computed while
commits were pending) waits here under the ticket of the last update it depends on; a commit
releases everything up to its last ticket, in order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from typing import NamedTuple

from collab.peer import Frame, Peer


class Outgoing(NamedTuple):
    """One held frame. A NamedTuple: as cheap as the tuple it replaces, with names."""

    ticket: int
    recipient: Peer | None
    """None: every peer of the room but `skip`."""
    skip: Peer | None
    frame: Frame
    update: bytes
    """The update a broadcast carries (published once durable); b"" for an answer."""


class Outbox:
    """Held frames in ticket order, and the tickets handed out and known durable."""

    __slots__ = ("_held", "applied", "committed")

    def __init__(self) -> None:
        self._held: deque[Outgoing] = deque()
        self.applied = 0  # tickets handed out
        self.committed = 0  # tickets known durable

    @property
    def settled(self) -> bool:
        """Nothing is waiting for a commit."""
        return self.committed == self.applied

    def relay(self, update: bytes, frame: Frame, sender: Peer | None) -> int:
        """Hold an applied update's frame for every peer but `sender`; its ticket."""
        ticket = self.applied = self.applied + 1
        self._held.append(Outgoing(ticket, None, sender, frame, update))
        return ticket

    def answer(self, peer: Peer, frame: Frame) -> None:
        """Send `frame` (computed from the document as it is) once what it shows is durable."""
        if self.committed == self.applied:
            peer.send(frame)
        else:
            self._held.append(Outgoing(self.applied, peer, None, frame, b""))

    def release(self, last_ticket: int) -> list[Outgoing]:
        """Everything that waited for the tickets up to `last_ticket` (now durable), in order."""
        self.committed = last_ticket
        held = self._held
        released: list[Outgoing] = []
        while held and held[0].ticket <= last_ticket:
            released.append(held.popleft())
        return released

    def abandon(self) -> list[Peer]:
        """Drop everything; the peers that were waiting (senders and askers)."""
        waiting = [
            entry.skip if entry.recipient is None else entry.recipient for entry in self._held
        ]
        self._held.clear()
        return [peer for peer in waiting if peer is not None]


def send_released(released: list[Outgoing], peers: Collection[Peer]) -> None:
    """Send what one commit released: each peer its share, in order, in one write."""
    if len(released) == 1:
        entry = released[0]
        if entry.recipient is None:
            for peer in peers:
                if peer is not entry.skip:
                    peer.send(entry.frame)
        elif entry.recipient in peers:
            entry.recipient.send(entry.frame)
        return
    shares: dict[Peer, list[Frame]] = {}
    for entry in released:
        if entry.recipient is None:
            for peer in peers:
                if peer is not entry.skip:
                    shares.setdefault(peer, []).append(entry.frame)
        elif entry.recipient in peers:
            shares.setdefault(entry.recipient, []).append(entry.frame)
    for peer, frames in shares.items():
        if len(frames) == 1:
            peer.send(frames[0])
        else:
            peer.send_frames(frames)
