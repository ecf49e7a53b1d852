"""Write policies: may this peer write this update into this document?

The room asks its document's policy about every update and sync step 2 a peer sends, before
applying it; a refused update is not applied, not stored and not relayed, and the session
counts it (see PeerSession.refused_write). The room knows "may this peer write this", never
why: the role a share link grants is one policy, locks on parts of a document are another,
and a document's policy is all of them together. Pure: no IO.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from collab.crdt import Unchanged, classify_unchanged
from collab.lazy_doc import LazyDoc
from collab.session import PeerSession, Refuse

READ_ONLY = Refuse("read_only", "document is read-only for this connection")


class WritePolicy(Protocol):
    def refusal(self, writer: PeerSession, update: bytes, document: LazyDoc) -> Refuse | None:
        """None when `writer` may apply `update` to `document` (not yet applied); else why not."""
        ...

    def applied(self, update: bytes) -> None:
        """The document took this update (from a peer, another node or the server itself):
        a policy that keeps state about the document's contents follows it here."""
        ...


class RolePolicy:
    """The share link's role: it allowed this connection to write this document, or not.

    pycrdt's provider sends back every update it receives, readers' included: a pure echo of
    what the document holds writes nothing, so it passes (the room drops it as a repeat)
    rather than counting towards closing the reader."""

    def refusal(self, writer: PeerSession, update: bytes, document: LazyDoc) -> Refuse | None:
        if writer.can_write:
            return None
        if classify_unchanged(update, document.state_vector()) is Unchanged.REPEAT:
            return None
        return READ_ONLY

    def applied(self, update: bytes) -> None:
        return None


class AllOf:
    """Every policy must allow the write; the first refusal is the answer."""

    def __init__(self, policies: Sequence[WritePolicy]) -> None:
        self._policies = tuple(policies)

    def refusal(self, writer: PeerSession, update: bytes, document: LazyDoc) -> Refuse | None:
        for policy in self._policies:
            refused = policy.refusal(writer, update, document)
            if refused is not None:
                return refused
        return None

    def applied(self, update: bytes) -> None:
        for policy in self._policies:
            policy.applied(update)


PolicyFactory = Callable[[str], Awaitable[WritePolicy]]
"""The write policy of a document, by its name; awaited once when its room loads."""


async def roles_only(document: str) -> WritePolicy:
    """The policy of a server that knows no locks: the role alone."""
    return RolePolicy()
