"""The write policy each document gets: the share link's role always, and for a workshop's
content the locks of its live Innopaja session (collab.locks decides which texts an update
touches; documents/live keeps the locks with the session).

The locks live in the database with their session. A room that loads reads them there (so a
server that restarts, or a node that had no room for the document, starts from what the
facilitator last set); while it is loaded, the lock route sets them through the hub, here and
on every other node.
"""

from __future__ import annotations

from typing import Final

from collab.locks import LockPolicy, LockTable
from collab.policy import AllOf, PolicyFactory, RolePolicy, WritePolicy
from documents.access import DocumentKind, Role, parse_document_name
from documents.store.base import Store

# Who edits through locks: the facilitators running the session, and the owner.
EXEMPT: Final[frozenset[Role]] = frozenset({"facilitator", "owner"})


def write_policies(store: Store, locks: LockTable) -> PolicyFactory:
    async def policy(document: str) -> WritePolicy:
        workshop_id, kind = parse_document_name(document)
        if kind is not DocumentKind.CONTENT:
            return RolePolicy()
        changes_before = locks.changes(document)
        live = await store.sessions.sessions.live(workshop_id)
        locks.load(document, frozenset(live.state.locks if live else ()), changes_before)
        return AllOf([RolePolicy(), LockPolicy(document, locks, frozenset(EXEMPT))])

    return policy
