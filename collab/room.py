"""One live document and the peers editing it.

Ordering contract: an update from a peer is applied to the room's document (which validates
it), handed to the group committer, and only after the commit returns is it sent to anyone
else. Anything that would reveal an uncommitted update to another peer (a step 2 answer
computed while commits are pending) waits in the same outbox, so no peer ever sees state that
a crash could lose. If a commit fails (the database is unreachable), the peers whose updates or
answers were waiting are closed with 1013 and the room stops taking writes: its clients still
hold their edits and deliver them again when they reconnect. Its other peers keep what they
have (and awareness) until the database is back; then they are sent to a fresh room.

With several server processes, what a room commits is also published on the bus after the
commit, and what other processes committed arrives from the bus (or, after a gap, from the
database) already durable: it is applied and relayed at once, and never logged again.

A room loaded from a checkpoint alone builds its document only when something needs it (see
collab.lazy_doc): a fresh client's sync is answered from the checkpoint's bytes first, and the
room's state vector (our sync step 1) follows once the document is built, right after that.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import structlog
from pycrdt import Doc

from collab.activity import RoomActivity
from collab.awareness import AwarenessRegistry
from collab.bus import Bus, BusKind, BusMessage
from collab.crdt import InvalidUpdate, diff_since, is_repeat
from collab.errors import CloseCode
from collab.group_commit import GroupCommitter
from collab.lazy_doc import EMPTY_STATE_VECTOR, LazyDoc
from collab.limits import Limits
from collab.protocol import (
    AwarenessMessage,
    ProtocolError,
    SyncStep1,
    SyncStep2,
    SyncUpdate,
    decode,
    decode_awareness,
    encode,
    encode_awareness,
)
from collab.session import (
    EMPTY_UPDATE,
    AnswerAwarenessQuery,
    AnswerStep1,
    ApplyUpdate,
    Close,
    Effect,
    PeerSession,
    Refuse,
    RelayAwareness,
)
from collab.stats import CollabStats
from documents.checkpoints import LogTail
from documents.store.log import LogEntry

log = structlog.get_logger(__name__)


class Peer(Protocol):
    """A connection as the room sees it: it takes ready-made frames and can be closed."""

    @property
    def label(self) -> str:
        """Who this is, for logs (address and connection number)."""
        ...

    def send(self, frame: bytes) -> None:
        """Queue a frame; must not block or raise if the peer is gone."""

    def send_frames(self, frames: Sequence[bytes]) -> None:
        """Queue several frames, in order, at once (as `send` for each)."""

    def close(self, code: CloseCode, reason: str) -> None:
        """Start closing; idempotent."""


Framer = Callable[[bytes], bytes]
"""Wraps a y-protocols message into the transport's frame, once per broadcast."""

_Outgoing = tuple[int, Peer | None, Peer | None, bytes, bytes]
"""(ticket, recipient or None for everyone, peer to skip, frame, update to publish or b"")."""


class Room:
    """A loaded document: its peers, awareness, and the commit outbox."""

    def __init__(
        self,
        name: str,
        document: LazyDoc,
        *,
        position: int,
        tail: LogTail,
        loaded_bytes: int,
        committer: GroupCommitter,
        framer: Framer,
        limits: Limits,
        stats: CollabStats,
        bus: Bus,
        on_failure: Callable[[Room], None],
        on_gap: Callable[[Room], None],
    ) -> None:
        self.name = name
        self._document = document
        self._ungreeted: list[Peer] = []  # joined before the document was built
        self._build_scheduled = False
        # Every committed update of this document up to this log position is in `doc`. Its own
        # commits advance it only when no other process writes the document (see Bus.exclusive);
        # otherwise only reads of the log do (load, catch-up).
        self.position = position
        self.quiet_reported = position  # the position last reported as quiet (see Rooms)
        self.peers: dict[Peer, PeerSession] = {}
        self.holders = 0  # server tasks keeping the room loaded without a peer
        self.awareness: AwarenessRegistry[Peer | str] = AwarenessRegistry(limits.max_awareness_ids)
        self.failed = False
        self._limits = limits
        self._stats = stats
        self._committer = committer
        self._frame = framer
        self._on_failure = on_failure
        self._on_gap = on_gap
        self._bus = bus
        self._exclusive = bus.exclusive
        # Positions of this document applied since the last read of the log (own commits and
        # the bus's), so a catch-up skips them (only kept when others write the document).
        self._known_positions: set[int] = set()
        self._applied = 0  # tickets handed to the committer
        self._committed = 0  # tickets known durable
        self._outbox: deque[_Outgoing] = deque()
        self._tail_entries = tail.entries
        self._tail_bytes = tail.bytes
        self._last_update = time.monotonic() - tail.idle_seconds
        # Size bound: an exact measure (encoding the state) plus what was applied since.
        self._measured_bytes = 0
        self._unmeasured_bytes = loaded_bytes
        self.stalled_bytes = 0  # applied updates that did not advance the state vector
        # A checkpoint asked for while commits were in flight is taken at the next batch
        # boundary that covers every applied update (see batch_taken).
        self.checkpoint_wanted = False
        self._capture: tuple[int, bytes, LogTail] | None = None
        self.on_capture: Callable[[Room, bytes, int, LogTail], None] | None = None
        self.activity = RoomActivity()

    @property
    def doc(self) -> Doc[Any]:
        """The live document, built on first use; raises InvalidUpdate if it cannot be."""
        return self._live().get()

    def state_vector(self) -> bytes:
        """The live document's state vector (kept until the next change, see LazyDoc)."""
        return self._live().state_vector()

    def _live(self) -> LazyDoc:
        """The document, built now if it was not yet; raises InvalidUpdate if it cannot be."""
        if not self._document.built:
            self._build()
        return self._document

    def encoded_state(self) -> bytes:
        """The whole state as one update (encoded once per change, see LazyDoc)."""
        return self._document.encoded()

    def _build(self) -> None:
        """Build the document now and send our state vector to the peers that joined before.
        A checkpoint that cannot be applied ends the room as a failed load would have."""
        try:
            self._document.get()
        except InvalidUpdate as exc:
            log.error("document_build_failed", document=self.name, error=str(exc))
            self.failed = True
            for peer in list(self.peers):
                peer.close(CloseCode.INTERNAL_ERROR, "document could not be loaded")
            self._on_failure(self)
            raise
        ungreeted, self._ungreeted = self._ungreeted, []
        if ungreeted:
            frame = self._frame(encode(SyncStep1(self._document.state_vector())))
            for peer in ungreeted:
                if peer in self.peers:
                    peer.send(frame)

    def _build_soon(self) -> None:
        self._build_scheduled = False
        waiting = any(peer in self.peers for peer in self._ungreeted)
        if waiting and not self._document.built and not self.failed:
            with contextlib.suppress(InvalidUpdate):  # already logged and handled by _build
                self._build()

    @property
    def settled(self) -> bool:
        """Nothing is waiting for a commit."""
        return self._committed == self._applied

    def log_tail(self) -> LogTail:
        return LogTail(self._tail_entries, self._tail_bytes, time.monotonic() - self._last_update)

    def checkpointed(self, tail_before: LogTail) -> None:
        """A checkpoint was written from the state whose log tail was `tail_before`."""
        self._tail_entries -= tail_before.entries
        self._tail_bytes -= tail_before.bytes

    def join(self, peer: Peer, session: PeerSession) -> None:
        """Admit a peer: our state vector first (once the document is built: see `receive`),
        then who is already here."""
        self.peers[peer] = session
        if self._document.built:
            peer.send(self._frame(encode(SyncStep1(self.state_vector()))))
        else:
            self._ungreeted.append(peer)
        present = self.awareness.present(time.monotonic())
        if present:
            peer.send(self._frame(encode(AwarenessMessage(encode_awareness(present)))))

    def leave(self, peer: Peer) -> None:
        """Forget a peer and tell everyone its awareness is gone."""
        if self.peers.pop(peer, None) is None:
            return
        removals = self.awareness.release(peer)
        if removals:
            self._relay_awareness_message(encode(AwarenessMessage(encode_awareness(removals))))

    def receive(self, peer: Peer, data: bytes, now: float) -> Effect:
        """Handle one binary frame from a joined peer; returns the effect for the caller's log."""
        session = self.peers.get(peer)
        if session is None:
            return Refuse("not_joined", "peer is not in the room")
        effect = session.receive(data, now)
        if self.failed and isinstance(effect, ApplyUpdate | AnswerStep1):
            # Neither can be honoured: an update cannot be stored, and this document holds
            # updates that were never stored, which no answer may reveal.
            self._count_refusal("storage_unavailable")
            peer.close(CloseCode.TRY_AGAIN_LATER, "the database is unreachable; try again later")
            return Close(CloseCode.TRY_AGAIN_LATER, "storage unavailable")
        if isinstance(effect, ApplyUpdate):
            self._apply(peer, effect)
        elif isinstance(effect, AnswerStep1):
            self._answer_step1(peer, effect.state_vector)
        elif isinstance(effect, RelayAwareness):
            self._relay_awareness(peer, effect, now)
        elif isinstance(effect, AnswerAwarenessQuery):
            entries = self.awareness.present(now)
            peer.send(self._frame(encode(AwarenessMessage(encode_awareness(entries)))))
        elif isinstance(effect, Refuse):
            self._count_refusal(effect.key)
            log.warning(
                "message_refused", document=self.name, peer=peer.label, reason=effect.reason
            )
        elif isinstance(effect, Close):
            self._count_refusal(effect.code.name.lower())
            log.warning(
                "peer_closed",
                document=self.name,
                peer=peer.label,
                code=int(effect.code),
                reason=effect.reason,
            )
            peer.close(effect.code, effect.reason)
        if self._ungreeted and not self._build_scheduled:
            # A peer's first message (its sync step 1) is answered: now build, right after
            # this turn of the loop, so that the answer is on its way first.
            self._build_scheduled = True
            asyncio.get_running_loop().call_soon(self._build_soon)
        return effect

    def _count_refusal(self, reason: str) -> None:
        self._stats.refused[reason] += 1
        self.activity.refused[reason] += 1

    def _relay_awareness(self, peer: Peer, effect: RelayAwareness, now: float) -> None:
        accepted, refused = self.awareness.apply(peer, effect.entries, now)
        if refused:
            self._count_refusal("awareness_not_owned")
            log.warning(
                "awareness_refused",
                document=self.name,
                peer=peer.label,
                reason="entries for client ids this connection does not own",
                entries=refused,
            )
        if refused or effect.rewritten:
            if accepted:
                self._relay_awareness_message(encode(AwarenessMessage(encode_awareness(accepted))))
        else:
            self._relay_awareness_message(effect.message)

    def _relay_awareness_message(self, message: bytes) -> None:
        self._broadcast(self._frame(message))
        if not self._exclusive:
            self._bus.publish(BusMessage(self.name, BusKind.AWARENESS, message, self._bus.origin))

    def _over_size_limit(self, incoming: int) -> bool:
        """Encode the state only when the cheap upper bound says the limit may be passed."""
        limit = self._limits.max_document_bytes
        if self._measured_bytes + self._unmeasured_bytes + incoming <= limit:
            return False
        if self._unmeasured_bytes:
            self._measured_bytes = len(self.encoded_state())
            self._unmeasured_bytes = 0
        return self._measured_bytes + incoming > limit

    def _apply(self, sender: Peer, effect: ApplyUpdate) -> None:
        update = effect.update
        if self._over_size_limit(len(update)):
            self._count_refusal("document_size")
            log.warning(
                "update_refused",
                document=self.name,
                peer=sender.label,
                reason=f"document would pass {self._limits.max_document_bytes} bytes",
            )
            sender.close(CloseCode.DOCUMENT_TOO_LARGE, "document is over its size limit")
            return
        document = self._live()
        try:
            state_before = document.apply(update)
        except InvalidUpdate as exc:
            self._count_refusal("invalid_update")
            log.warning("update_invalid", document=self.name, peer=sender.label, error=str(exc))
            sender.close(CloseCode.PROTOCOL_ERROR, "invalid update")
            return
        # An update with structs (first byte: their group count) that leaves the state vector
        # as it was either repeats what the document has (pycrdt clients echo every update they
        # receive) or waits for missing dependencies. A repeat changes nothing: it is neither
        # logged nor relayed. A waiting one is logged, since it may integrate later, but the
        # memory it can pin is bounded.
        if update[0] != 0 and document.state_vector() == state_before:
            if is_repeat(update, state_before):
                self._stats.duplicates += 1
                return
            self.stalled_bytes += len(update)
            if not self._exclusive:
                self._on_gap(self)  # the missing updates may be in the log, from another node
            if self.stalled_bytes > self._limits.max_stalled_bytes:
                self._count_refusal("stalled_updates")
                log.warning(
                    "update_stalled",
                    document=self.name,
                    peer=sender.label,
                    reason="too many bytes waiting for missing dependencies",
                    stalled_bytes=self.stalled_bytes,
                )
                sender.close(CloseCode.POLICY_VIOLATION, "updates with missing dependencies")
        self._unmeasured_bytes += len(update)
        self._stats.updates_applied += 1
        self.activity.received += 1
        self._record(update, effect.message, sender)

    def _record(self, update: bytes, message: bytes, sender: Peer | None) -> int:
        """Hand an applied update to the committer; relay it to all but `sender` once durable."""
        self._applied += 1
        self._count_logged(update)
        self._committer.submit(self, self.name, update, self._applied)
        self._outbox.append((self._applied, None, sender, self._frame(message), update))
        return self._applied

    def _count_logged(self, update: bytes) -> None:
        self._last_update = time.monotonic()
        self._tail_entries += 1
        self._tail_bytes += len(update)

    def receive_remote(self, message: BusMessage, now: float) -> None:
        """Another process's message for this document, from the bus."""
        if self.failed:
            return
        if message.kind is BusKind.UPDATE:
            if message.position > self.position:
                self._known_positions.add(message.position)
                self._apply_committed(message.payload, message.origin)
        elif message.kind is BusKind.AWARENESS:
            self._apply_remote_awareness(message, now)
        else:
            self._on_gap(self)

    def catch_up(self, entries: list[LogEntry]) -> None:
        """Apply what the log holds after `position` (read because the bus may have missed it)."""
        known = self._known_positions
        for position, update in entries:
            if position > self.position:
                if position not in known:
                    self._apply_committed(update, "log")
                self.position = position
        self._known_positions = {p for p in known if p > self.position}

    def _apply_committed(self, update: bytes, origin: str) -> None:
        """An update that is already durable: apply, relay to every local peer, never log."""
        document = self._live()
        try:
            state_before = document.apply(update)
        except InvalidUpdate as exc:
            log.error("committed_update_invalid", document=self.name, origin=origin, error=str(exc))
            return
        if update[0] != 0 and document.state_vector() == state_before:
            if is_repeat(update, state_before):
                return
            # It waits for an update this process never received: read the log, and relay it
            # all the same (peers hold it pending until the missing one arrives, as we do).
            self._on_gap(self)
        self._unmeasured_bytes += len(update)
        self._stats.updates_remote += 1
        self._count_logged(update)
        self.activity.relayed += len(self.peers)
        self._broadcast(self._frame(encode(SyncUpdate(update))))

    def _apply_remote_awareness(self, message: BusMessage, now: float) -> None:
        try:
            decoded = decode(message.payload)
            if not isinstance(decoded, AwarenessMessage):
                raise ProtocolError("not an awareness message")
            entries = decode_awareness(decoded.update)
        except ProtocolError as exc:
            log.error(
                "bus_awareness_invalid", document=self.name, origin=message.origin, error=str(exc)
            )
            return
        accepted, _ = self.awareness.apply(f"node:{message.origin}", entries, now, limited=False)
        if accepted:
            self._broadcast(self._frame(encode(AwarenessMessage(encode_awareness(accepted)))))

    async def server_edit(self, edit: Callable[[Doc[Any]], None]) -> bytes:
        """Run an edit made by the server itself (a restore, a pull) on the live document.

        The edit becomes one update, logged and relayed like a peer's; this returns it once it
        is committed. The room's document has a client id of its own, drawn when it was loaded
        and never used by any client, so server edits cannot collide with a client's.
        """
        doc = self.doc
        before = doc.get_state()
        self._document.changed()
        edit(doc)
        update = doc.get_update(before)
        if update == EMPTY_UPDATE:
            return update
        ticket = self._record(update, encode(SyncUpdate(update)), None)
        while self._committed < ticket:
            if self.failed:
                raise RuntimeError(f"the change to {self.name} could not be committed")
            await self._committer.drain()
        return update

    def _answer_step1(self, peer: Peer, state_vector: bytes) -> None:
        if state_vector == EMPTY_STATE_VECTOR:
            missing = self.encoded_state()  # everything: encoded once, or the checkpoint itself
        else:
            try:
                missing = diff_since(self.doc, state_vector)
            except InvalidUpdate as exc:
                log.warning(
                    "state_vector_invalid", document=self.name, peer=peer.label, error=str(exc)
                )
                peer.close(CloseCode.PROTOCOL_ERROR, "invalid state vector")
                return
        frame = self._frame(encode(SyncStep2(missing)))
        if self.settled:
            peer.send(frame)
        else:
            self._outbox.append((self._applied, peer, None, frame, b""))

    def _broadcast(self, frame: bytes, *, skip: Peer | None = None) -> None:
        for peer in self.peers:
            if peer is not skip:
                peer.send(frame)

    def batch_taken(self, last_ticket: int) -> None:
        """The committer took every update up to `last_ticket`. If that is every update this
        room has applied, the document now is exactly the state that commit will make durable:
        the one moment a busy room can capture a checkpoint that matches a log position."""
        if self.checkpoint_wanted and self._applied == last_ticket and self.stalled_bytes == 0:
            self.checkpoint_wanted = False
            self._capture = (last_ticket, self.encoded_state(), self.log_tail())

    def committed(self, last_ticket: int, positions: Sequence[int]) -> None:
        """Release everything that waited for the tickets up to `last_ticket`; `positions` are
        those of this room's updates in the batch, in order."""
        if self.failed:
            return
        self._committed = last_ticket
        if self._exclusive:
            self.position = positions[-1]
        else:
            self._known_positions.update(positions)
        self.activity.last_commit_at = time.time()
        capture = self._capture
        if capture is not None and capture[0] == last_ticket:
            self._capture = None
            if self.on_capture is not None:
                self.on_capture(self, capture[1], self.position, capture[2])
        outbox = self._outbox
        released: list[_Outgoing] = []
        while outbox and outbox[0][0] <= last_ticket:
            released.append(outbox.popleft())
        broadcasts = [entry for entry in released if entry[1] is None]
        for (_, _, skip, _, update), position in zip(broadcasts, positions, strict=True):
            self.activity.relayed += len(self.peers) - (skip in self.peers)
            if not self._exclusive:  # one process serves every peer: nothing to carry
                self._bus.publish(
                    BusMessage(self.name, BusKind.UPDATE, update, self._bus.origin, position)
                )
        if len(released) == 1:
            _, recipient, skip, frame, _ = released[0]
            if recipient is None:
                self._broadcast(frame, skip=skip)
            elif recipient in self.peers:
                recipient.send(frame)
        elif released:
            self._send_shares(released)

    def _send_shares(self, released: list[_Outgoing]) -> None:
        """Several frames released by one commit: each peer gets its share, in order, at once
        (one write instead of one per frame)."""
        peers = self.peers
        shares: dict[Peer, list[bytes]] = {}
        for _, recipient, skip, frame, _ in released:
            if recipient is None:
                for peer in peers:
                    if peer is not skip:
                        shares.setdefault(peer, []).append(frame)
            elif recipient in peers:
                shares.setdefault(recipient, []).append(frame)
        for peer, frames in shares.items():
            if len(frames) == 1:
                peer.send(frames[0])
            else:
                peer.send_frames(frames)

    def commit_failed(self, error: BaseException) -> None:
        """Nothing uncommitted may ever be shown, nor acknowledged: whoever waited for this
        commit (senders of updates, peers owed a step 2) is closed so its client resends later;
        the room takes no more writes and leaves the registry (see Rooms)."""
        if self.failed:
            return
        self.failed = True
        waiting = [
            skip if recipient is None else recipient for _, recipient, skip, *_ in self._outbox
        ]
        self._outbox.clear()
        closed = {peer for peer in waiting if peer is not None and peer in self.peers}
        log.error(
            "room_failed",
            document=self.name,
            peers=len(self.peers),
            closed=len(closed),
            error=repr(error),
        )
        for peer in closed:
            peer.close(CloseCode.TRY_AGAIN_LATER, "the update could not be stored; try again later")
        self._on_failure(self)
