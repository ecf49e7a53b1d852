"""A room's document, built on first use, and its whole state encoded at most once per change.

Why: building a document of 100,000 edits from its checkpoint takes ~100 ms of pycrdt, which
holds the GIL throughout (a thread would not help), and encoding its whole state again takes
~10 ms more. A client opening a document it does not have (an empty state vector) needs
neither: the checkpoint already is that state, encoded. So a room loaded from a checkpoint
with nothing logged after it keeps the checkpoint's bytes, answers such clients with them,
and builds the document only once something needs it. Once built, the encoded state is kept
until the next change, so a crowd joining a quiet document costs one encoding, not one each.

A crash leaves a log tail after the checkpoint. Merging it onto the checkpoint decodes and
encodes the whole state (~25-45 ms for 100,000 edits), so the tail is kept beside it, merged
alone (a few ms), and a fresh client is sent the tail first and the checkpoint as our answer
(see `whole`): the tail waits, pending, in the client's document until the checkpoint it
builds on arrives, so the client holds the whole state when it is told it is synced.

The state vector is kept the same way: every update a room applies is checked against the
state vector from before it (did it add anything?), and the one computed after an update is
the next one's "before", so each update costs one `get_state`, not two. Only an update that
left it as it was is looked at further (see collab.crdt.classify_unchanged). A delete set alone
adds nothing, so it needs no state vector at all. `get_state` grows with the clients the
document has seen: from 256 clients on, the clocks are also kept as a dict, and an
update that continues its clients' typing is recognised from them (collab.clocks) instead.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, merge_updates

from collab.clocks import advanced, advanced_clocks, kept_clocks
from collab.crdt import Unchanged, apply_and_read_state, apply_update, classify_unchanged

EMPTY_STATE_VECTOR = b"\x00"
"""What a client that has nothing sends in its sync step 1 (no clients)."""


class LazyDoc:
    """Either a built document, or the encoded state it will be built from."""

    def __init__(
        self, doc: Doc[Any] | None = None, *, state: bytes | None = None, tail: bytes | None = None
    ) -> None:
        if (doc is None) == (state is None):
            raise ValueError("give either a document or its encoded state")
        if tail is not None and state is None:
            raise ValueError("a tail goes with an encoded state")
        self._doc = doc
        self._encoded = state
        self._tail = tail  # applied after `_encoded`; only while the document is not built
        self._state_vector: bytes | None = None
        # The state vector as a dict, for a document of many clients (see collab.clocks): never
        # ahead of the document's, dropped whenever something else changes the document.
        self._clocks: dict[int, int] | None = None

    @property
    def built(self) -> bool:
        return self._doc is not None

    def get(self) -> Doc[Any]:
        """The document, built now if it was not yet; raises InvalidUpdate if it cannot be.

        A built document gets a client id of its own, never used by any client, as every
        server-side document must (server edits would otherwise collide with a client's).
        """
        doc = self._doc
        if doc is None:
            assert self._encoded is not None
            doc = Doc()
            apply_update(doc, self._encoded)
            if self._tail is not None:
                apply_update(doc, self._tail)
                self._tail = None
                self._encoded = None
            self._doc = doc
        return doc

    def encoded(self) -> bytes:
        """The whole state as one update, encoded once until the next `changed()`."""
        encoded = self._encoded
        if encoded is None:
            assert self._doc is not None
            encoded = self._encoded = self._doc.get_update()
        elif self._tail is not None:
            encoded = self._encoded = merge_updates(encoded, self._tail)
            self._tail = None
        return encoded

    def whole(self) -> tuple[bytes | None, bytes]:
        """The whole state as a client that has nothing can be sent it without merging: an
        update to send first (None if there is none), then the state our answer carries."""
        if self._tail is not None:
            assert self._encoded is not None
            return self._tail, self._encoded
        return None, self.encoded()

    def state_vector(self) -> bytes:
        """The document's state vector, computed once until the next change."""
        state_vector = self._state_vector
        if state_vector is None:
            state_vector = self._state_vector = self.get().get_state()
        return state_vector

    def apply(self, update: bytes) -> Unchanged | None:
        """Apply untrusted bytes (InvalidUpdate if refused). None when they changed the
        document: they advanced its state vector, or carry a delete set alone (always kept);
        otherwise what they carry: pycrdt clients echo every update they receive, and a
        repeat may still carry deletions."""
        if update[:1] == b"\x00":
            # No structs: nothing can integrate, so the state vector stays what it was. (A
            # slice, not an index: empty bytes go on to pycrdt, which refuses them.)
            self._outdated(keep_state_vector=True)
            apply_update(self.get(), update)
            return None
        clocks = self._clocks
        if clocks is not None:
            reached = advanced_clocks(update, clocks)
            if reached is not None:
                self._outdated()
                apply_update(self.get(), update)
                clocks.update(reached)
                return None
        before = self.state_vector()
        self._outdated()
        after = self._state_vector = apply_and_read_state(self.get(), update)
        if not advanced(before, after):
            return classify_unchanged(update, before)
        self._clocks = kept_clocks(after)
        return None

    def changed(self) -> None:
        """The document is about to change (or did) by other means than `apply`: its encoded
        state and its clocks are outdated."""
        self._clocks = None
        self._outdated()

    def _outdated(self, *, keep_state_vector: bool = False) -> None:
        if not keep_state_vector:
            self._state_vector = None
        if self._doc is not None:
            self._encoded = None
