"""One live document and the peers editing it.

Ordering contract: an update from a peer is checked by the document's write policy, applied
to the room's document (which validates it), handed to the group committer, and only after the
commit returns is it sent to anyone else. Anything that would reveal an uncommitted update to
another peer (a step 2 answer computed while commits are pending) waits in the same outbox, so
no peer ever sees state that a crash could lose. If a commit fails (the database is
unreachable), the peers whose updates or answers were waiting are closed with 1013 and the
room stops taking writes: its clients still hold their edits and deliver them again when they
reconnect. Its other peers keep what they have (and awareness) until the database is back;
then they are sent to a fresh room.

What other server processes commit reaches the room through its replication (see
collab.replication), already durable: applied and relayed at once, never logged again. The
document is built on first use (collab.room_document); checkpoints are captured at batch
boundaries (collab.checkpointing).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, assert_never

import structlog
from pycrdt import Doc

from collab.activity import RoomActivity
from collab.checkpointing import Captured, RoomCheckpoints
from collab.crdt import InvalidUpdate, Unchanged
from collab.errors import (
    DOCUMENT_TOO_LARGE,
    INVALID_STATE_VECTOR,
    INVALID_UPDATE,
    STALLED_UPDATES,
    STORAGE_UNAVAILABLE,
    CloseCode,
    Shutdown,
)
from collab.group_commit import GroupCommitter
from collab.lazy_doc import LazyDoc
from collab.limits import Limits, SizeBound
from collab.outbox import Outbox, send_released
from collab.peer import Frame, Framer, Peer
from collab.policy import WritePolicy
from collab.presence import Presence
from collab.protocol import EMPTY_UPDATE, AuthDenied, SyncStep2, SyncUpdate, encode, encode_parts
from collab.replication import Replication
from collab.room_document import RoomDocument
from collab.session import (
    AnswerAwarenessQuery,
    AnswerStep1,
    ApplyUpdate,
    Close,
    Effect,
    Nothing,
    PeerSession,
    Refuse,
    RelayAwareness,
)
from collab.stats import CollabStats
from documents.checkpoints import CheckpointPolicy, LogTail

log = structlog.get_logger(__name__)


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
        checkpoints: CheckpointPolicy,
        policy: WritePolicy,
        replication: Replication,
        on_failure: Callable[[Room], None],
    ) -> None:
        self.name = name
        # Every committed update of this document up to this log position is in `doc` (who
        # advances it: see collab.replication).
        self.position = position
        self.quiet_reported = position  # the position last reported as quiet (see Rooms)
        self.peers: dict[Peer, PeerSession] = {}
        self._document = RoomDocument(
            name, document, peers=self.peers, frame=framer, unbuildable=self._unbuildable
        )
        self.holders = 0  # server tasks keeping the room loaded without a peer
        self.failed = False
        self._policy = policy
        self._replication = replication
        self._limits = limits
        self._stats = stats
        self._committer = committer
        self._frame = framer
        self._on_failure = on_failure
        self._outbox = Outbox()
        self.checkpoints = RoomCheckpoints(tail, checkpoints)
        self.on_capture: Callable[[Room, Captured, int], None] | None = None
        self._size = SizeBound(limits.max_document_bytes, loaded_bytes)
        self.stalled_bytes = 0  # applied updates waiting for missing dependencies
        self.activity = RoomActivity()
        self.presence = Presence(
            name,
            limits.max_awareness_ids,
            peers=self.peers,
            frame=framer,
            publish=lambda message: replication.awareness(self, message),
            refused=self._count_refusal,
        )

    @property
    def doc(self) -> Doc[Any]:
        """The live document, built on first use; raises InvalidUpdate if it cannot be."""
        return self._document.live().get()

    def state_vector(self) -> bytes:
        """The live document's state vector (kept until the next change, see LazyDoc)."""
        return self._document.live().state_vector()

    def encoded_state(self) -> bytes:
        """The whole state as one update (encoded once per change, see LazyDoc)."""
        return self._document.lazy.encoded()

    def _unbuildable(self) -> None:
        """A checkpoint that cannot be applied ends the room as a failed load would have."""
        self.failed = True
        for peer in list(self.peers):
            peer.close(CloseCode.INTERNAL_ERROR, "document could not be loaded")
        self._on_failure(self)

    @property
    def settled(self) -> bool:
        """Nothing is waiting for a commit."""
        return self._outbox.settled

    def join(self, peer: Peer, session: PeerSession) -> None:
        """Admit a peer: our state vector first (once the document is built: see `receive`),
        then who is already here."""
        self.peers[peer] = session
        self._document.greet(peer)
        self.presence.greet(peer, time.monotonic())

    def leave(self, peer: Peer) -> None:
        """Forget a peer and tell everyone its awareness is gone."""
        if self.peers.pop(peer, None) is not None:
            self.presence.left(peer)

    def receive(self, peer: Peer, data: bytes, now: float) -> Effect:
        """Handle one binary frame from a joined peer; returns the effect for the caller's log."""
        session = self.peers.get(peer)
        if session is None:
            return Refuse("not_joined", "peer is not in the room")
        effect = session.receive(data, now)
        if self.failed and isinstance(effect, ApplyUpdate | AnswerStep1):
            # Neither can be honoured: an update cannot be stored, and this document holds
            # updates that were never stored, which no answer may reveal.
            self._shut(peer, STORAGE_UNAVAILABLE)
            return Close(CloseCode.TRY_AGAIN_LATER, "storage unavailable")
        if isinstance(effect, ApplyUpdate):
            refusal = self._policy.refusal(session, effect.update, self._document.lazy)
            if refusal is not None:
                # y-protocols' auth message says why: y-websocket only logs it, a client that
                # knows it (the workshop page) shows the person the server's state again.
                peer.send(self._frame(encode(AuthDenied(refusal.reason))))
                effect = session.refused_write(refusal)
        match effect:
            case ApplyUpdate():
                self._apply(peer, effect)
            case AnswerStep1():
                self._answer_step1(peer, effect.state_vector)
            case RelayAwareness():
                self.presence.relay(peer, effect, now)
            case AnswerAwarenessQuery():
                self.presence.greet(peer, now)
            case Refuse():
                self._count_refusal(effect.key)
                log.warning(
                    "message_refused", document=self.name, peer=peer.label, reason=effect.reason
                )
            case Close():
                why = Shutdown("peer_closed", effect.code.name.lower(), effect.code, effect.reason)
                self._shut(peer, why)
            case Nothing():
                pass
            case _:
                assert_never(effect)
        self._document.answered()
        return effect

    def _count_refusal(self, reason: str) -> None:
        self._stats.refused[reason] += 1
        self.activity.refused[reason] += 1

    def _shut(self, peer: Peer, why: Shutdown, **detail: object) -> None:
        """Close a peer for what it sent: counted, logged with the document and the peer."""
        self._count_refusal(why.key)
        code, reason = int(why.code), why.reason
        log.warning(
            why.event, document=self.name, peer=peer.label, code=code, reason=reason, **detail
        )
        peer.close(why.code, why.reason)

    def _apply(self, sender: Peer, effect: ApplyUpdate) -> None:
        update = effect.update
        if self._size.would_pass(len(update), lambda: len(self.encoded_state())):
            self._shut(sender, DOCUMENT_TOO_LARGE, limit=self._limits.max_document_bytes)
            return
        document = self._document.live()  # one that cannot be built ends the room
        try:
            unchanged = document.apply(update)
        except InvalidUpdate as exc:
            self._shut(sender, INVALID_UPDATE, error=str(exc))
            return
        # Only a true repeat changes nothing: it is neither logged nor relayed. One waiting for
        # missing dependencies is logged, since it may integrate later, but the memory it can
        # pin is bounded.
        if unchanged is Unchanged.REPEAT:
            self._stats.duplicates += 1
            return
        if unchanged is Unchanged.WAITING:
            self.stalled_bytes += len(update)
            self._replication.waiting(self)
            if self.stalled_bytes > self._limits.max_stalled_bytes:
                self._shut(sender, STALLED_UPDATES, stalled_bytes=self.stalled_bytes)
        self._stats.updates_applied += 1
        self.activity.received += 1
        self._record(update, effect.message, sender)

    def _record(self, update: bytes, message: bytes, sender: Peer | None) -> int:
        """Hand an applied update to the committer; relay it to all but `sender` once durable."""
        ticket = self._outbox.relay(update, self._frame(message), sender)
        self._took(update)
        self._committer.submit(self, self.name, update, ticket)
        return ticket

    def _took(self, update: bytes) -> None:
        """The document took this update and its log has it (or is about to)."""
        self._size.grew(update)
        self.checkpoints.logged(update)
        self._policy.applied(update)

    def apply_committed(self, update: bytes, origin: str) -> None:
        """An update another process committed: apply, relay to every local peer, never log."""
        document = self._document.live()
        try:
            unchanged = document.apply(update)
        except InvalidUpdate as exc:
            log.error("committed_update_invalid", document=self.name, origin=origin, error=str(exc))
            return
        if unchanged is Unchanged.REPEAT:
            return
        if unchanged is Unchanged.WAITING:
            # It waits for an update this process never received: read the log, and relay it
            # all the same (peers hold it pending until the missing one arrives, as we do).
            self._replication.waiting(self)
        self._stats.updates_remote += 1
        self._took(update)
        self.activity.relayed += len(self.peers)
        self._broadcast(self._frame(encode(SyncUpdate(update))))

    async def server_edit(self, edit: Callable[[Doc[Any]], None]) -> bytes:
        """Run an edit made by the server itself (a restore, a pull) on the live document.

        The edit becomes one update, logged and relayed like a peer's; this returns it once it
        is committed. The room's document has a client id of its own, drawn when it was loaded
        and never used by any client, so server edits cannot collide with a client's. No write
        policy applies: the server decided.
        """
        doc = self.doc
        before = doc.get_state()
        self._document.lazy.changed()
        edit(doc)
        update = doc.get_update(before)
        if update == EMPTY_UPDATE:
            return update
        ticket = self._record(update, encode(SyncUpdate(update)), None)
        while self._outbox.committed < ticket:
            if self.failed:
                raise RuntimeError(f"the change to {self.name} could not be committed")
            await self._committer.drain()
        return update

    def _answer_step1(self, peer: Peer, state_vector: bytes) -> None:
        try:
            ahead, missing = self._document.missing(state_vector)
        except InvalidUpdate as exc:
            self._shut(peer, INVALID_STATE_VECTOR, error=str(exc))
            return
        if ahead is not None:
            self._outbox.answer(peer, self._frame(*encode_parts(SyncUpdate(ahead))))
        self._outbox.answer(peer, self._frame(*encode_parts(SyncStep2(missing))))

    def _broadcast(self, frame: Frame) -> None:
        for peer in self.peers:
            peer.send(frame)

    def batch_taken(self, last_ticket: int) -> None:
        """The committer took every update up to `last_ticket`: a checkpoint's moment if that
        is every update this room applied (see collab.checkpointing)."""
        complete = self._outbox.applied == last_ticket and not self.stalled_bytes
        self.checkpoints.batch_taken(last_ticket, complete=complete, state=self.encoded_state)

    def committed(self, last_ticket: int, positions: Sequence[int]) -> None:
        """Release everything that waited for the tickets up to `last_ticket`; `positions` are
        those of this room's updates in the batch, in order."""
        if self.failed:
            return
        released = self._outbox.release(last_ticket)
        broadcasts = [entry for entry in released if entry.recipient is None]
        self._replication.committed(self, [entry.update for entry in broadcasts], positions)
        self.activity.last_commit_at = time.time()
        captured = self.checkpoints.committed(last_ticket)
        if captured is not None and self.on_capture is not None:
            self.on_capture(self, captured, self.position)
        for entry in broadcasts:
            self.activity.relayed += len(self.peers) - (entry.skip in self.peers)
        if released:
            send_released(released, self.peers)

    def commit_failed(self, error: BaseException) -> None:
        """Nothing uncommitted may ever be shown, nor acknowledged: whoever waited for this
        commit (senders of updates, peers owed a step 2) is closed so its client resends later;
        the room takes no more writes and leaves the registry (see Rooms)."""
        if self.failed:
            return
        self.failed = True
        self._document.abandon()
        closed = {peer for peer in self._outbox.abandon() if peer in self.peers}
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
