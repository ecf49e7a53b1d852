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
collab.replication), already durable: applied and relayed at once, never logged again.

A room loaded from a checkpoint alone builds its document only when something needs it (see
collab.lazy_doc): a fresh client's sync is answered from the checkpoint's bytes first, and the
room's state vector (our sync step 1) follows once the document is built, right after that.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from typing import Any, assert_never

import structlog
from pycrdt import Doc

from collab.activity import RoomActivity
from collab.crdt import InvalidUpdate, Unchanged, classify_unchanged, diff_since
from collab.errors import CloseCode
from collab.group_commit import GroupCommitter
from collab.lazy_doc import EMPTY_STATE_VECTOR, LazyDoc
from collab.limits import Limits, SizeBound
from collab.log_tail import TailCounter
from collab.outbox import Outbox, Outgoing, send_released
from collab.peer import Framer, Peer
from collab.policy import WritePolicy
from collab.presence import Presence
from collab.protocol import (
    EMPTY_UPDATE,
    AuthDenied,
    SyncStep1,
    SyncStep2,
    SyncUpdate,
    encode,
)
from collab.replication import Replication
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
        self._document = document
        self._ungreeted: list[Peer] = []  # joined before the document was built
        self._build_scheduled = False
        # Every committed update of this document up to this log position is in `doc` (who
        # advances it: see collab.replication).
        self.position = position
        self.quiet_reported = position  # the position last reported as quiet (see Rooms)
        self.peers: dict[Peer, PeerSession] = {}
        self.holders = 0  # server tasks keeping the room loaded without a peer
        self.failed = False
        self._policy = policy
        self._replication = replication
        self._limits = limits
        self._stats = stats
        self._committer = committer
        self._frame = framer
        self._on_failure = on_failure
        self._applied = 0  # tickets handed to the committer
        self._committed = 0  # tickets known durable
        self._outbox = Outbox()
        self._tail = TailCounter(tail)
        self._checkpoints = checkpoints
        self._size = SizeBound(limits.max_document_bytes, loaded_bytes)
        self.stalled_bytes = 0  # applied updates waiting for missing dependencies
        # A checkpoint asked for while commits were in flight is taken at the next batch
        # boundary that covers every applied update (see batch_taken).
        self.checkpoint_wanted = False
        self.checkpoint_writing = False  # set by Rooms while one is being written
        self._capture: tuple[int, bytes, LogTail] | None = None
        self.on_capture: Callable[[Room, bytes, int, LogTail], None] | None = None
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
        return self._tail.now()

    def checkpointed(self, tail_before: LogTail) -> None:
        """A checkpoint was written from the state whose log tail was `tail_before`."""
        self._tail.checkpointed(tail_before)

    def join(self, peer: Peer, session: PeerSession) -> None:
        """Admit a peer: our state vector first (once the document is built: see `receive`),
        then who is already here."""
        self.peers[peer] = session
        if self._document.built:
            peer.send(self._frame(encode(SyncStep1(self.state_vector()))))
        else:
            self._ungreeted.append(peer)
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
            self._count_refusal("storage_unavailable")
            peer.close(CloseCode.TRY_AGAIN_LATER, "the database is unreachable; try again later")
            return Close(CloseCode.TRY_AGAIN_LATER, "storage unavailable")
        if isinstance(effect, ApplyUpdate):
            refusal = self._policy.refusal(session, effect.update, self._document)
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
                self._count_refusal(effect.code.name.lower())
                log.warning(
                    "peer_closed",
                    document=self.name,
                    peer=peer.label,
                    code=int(effect.code),
                    reason=effect.reason,
                )
                peer.close(effect.code, effect.reason)
            case Nothing():
                pass
            case _:
                assert_never(effect)
        if self._ungreeted and not self._build_scheduled:
            # A peer's first message (its sync step 1) is answered: now build, right after
            # this turn of the loop, so that the answer is on its way first.
            self._build_scheduled = True
            asyncio.get_running_loop().call_soon(self._build_soon)
        return effect

    def _count_refusal(self, reason: str) -> None:
        self._stats.refused[reason] += 1
        self.activity.refused[reason] += 1

    def _apply(self, sender: Peer, effect: ApplyUpdate) -> None:
        update = effect.update
        if self._size.would_pass(len(update), lambda: len(self.encoded_state())):
            self._count_refusal("document_size")
            log.warning(
                "update_refused",
                document=self.name,
                peer=sender.label,
                reason=f"document would pass {self._limits.max_document_bytes} bytes",
            )
            sender.close(CloseCode.DOCUMENT_TOO_LARGE, "document is over its size limit")
            return
        document = self._live()  # a document that cannot be built ends the room (see _build)
        try:
            state_before = document.apply(update)
        except InvalidUpdate as exc:
            self._count_refusal("invalid_update")
            log.warning("update_invalid", document=self.name, peer=sender.label, error=str(exc))
            sender.close(CloseCode.PROTOCOL_ERROR, "invalid update")
            return
        # Only a true repeat changes nothing: it is neither logged nor relayed. One waiting for
        # missing dependencies is logged, since it may integrate later, but the memory it can
        # pin is bounded.
        unchanged = self._unchanged(update, state_before)
        if unchanged is Unchanged.REPEAT:
            self._stats.duplicates += 1
            return
        if unchanged is Unchanged.WAITING:
            self.stalled_bytes += len(update)
            self._replication.waiting(self)
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
        self._stats.updates_applied += 1
        self.activity.received += 1
        self._record(update, effect.message, sender)

    def _unchanged(self, update: bytes, state_before: bytes) -> Unchanged | None:
        """None when the applied update advanced the state vector or has no structs (a delete
        set alone is always kept); otherwise what it carries (see classify_unchanged): pycrdt
        clients echo every update they receive, and a repeat may still carry deletions."""
        if update[0] == 0 or self._document.state_vector() != state_before:
            return None
        return classify_unchanged(update, state_before)

    def _record(self, update: bytes, message: bytes, sender: Peer | None) -> int:
        """Hand an applied update to the committer; relay it to all but `sender` once durable."""
        self._applied += 1
        self._took(update)
        self._committer.submit(self, self.name, update, self._applied)
        self._outbox.hold(Outgoing(self._applied, None, sender, self._frame(message), update))
        return self._applied

    def _took(self, update: bytes) -> None:
        """The document took this update and its log has it (or is about to). A tail past the
        checkpoint policy's bounds asks for a checkpoint at once (taken at the next batch
        boundary), not at the next round: a writer flooding the log between rounds would
        otherwise leave a crash a tail of any length to replay."""
        self._size.grew(update)
        tail = self._tail
        tail.logged(update)
        checkpoints = self._checkpoints
        if tail.reaches(checkpoints.max_entries, checkpoints.max_bytes):
            self.checkpoint_wanted = True
        self._policy.applied(update)

    def apply_committed(self, update: bytes, origin: str) -> None:
        """An update another process committed: apply, relay to every local peer, never log."""
        document = self._live()
        try:
            state_before = document.apply(update)
        except InvalidUpdate as exc:
            log.error("committed_update_invalid", document=self.name, origin=origin, error=str(exc))
            return
        unchanged = self._unchanged(update, state_before)
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
            self._outbox.hold(Outgoing(self._applied, peer, None, frame, b""))

    def _broadcast(self, frame: bytes) -> None:
        for peer in self.peers:
            peer.send(frame)

    def batch_taken(self, last_ticket: int) -> None:
        """The committer took every update up to `last_ticket`. If that is every update this
        room has applied, the document now is exactly the state that commit will make durable:
        the one moment a busy room can capture a checkpoint that matches a log position."""
        if (
            self.checkpoint_wanted
            and self._applied == last_ticket
            and not self.stalled_bytes
            and not self.checkpoint_writing
            and self._capture is None
        ):
            self.checkpoint_wanted = False
            self._capture = (last_ticket, self.encoded_state(), self.log_tail())

    def committed(self, last_ticket: int, positions: Sequence[int]) -> None:
        """Release everything that waited for the tickets up to `last_ticket`; `positions` are
        those of this room's updates in the batch, in order."""
        if self.failed:
            return
        self._committed = last_ticket
        released = self._outbox.release(last_ticket)
        broadcasts = [entry for entry in released if entry.recipient is None]
        self._replication.committed(self, [entry.update for entry in broadcasts], positions)
        self.activity.last_commit_at = time.time()
        capture = self._capture
        if capture is not None and capture[0] == last_ticket:
            self._capture = None
            if self.on_capture is not None:
                self.on_capture(self, capture[1], self.position, capture[2])
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
