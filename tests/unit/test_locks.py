"""Locks as a write policy: an update touching a locked text is refused, others pass."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from collab.lazy_doc import LazyDoc
from collab.limits import Limits
from collab.locks import LOCKED, LockPolicy, LockTable
from collab.session import PeerSession
from documents.access import DocumentKind
from documents.workshop_doc import seed_update, text_at

NAME = "w1"
EXEMPT = frozenset({"facilitator", "owner"})


def peer(role: str) -> PeerSession:
    return PeerSession(can_write=True, limits=Limits(), now=0.0, role=role)


class Workshop:
    """The server's document and a client replica, as a room and its peer hold them."""

    def __init__(self) -> None:
        self.server: Doc[Any] = Doc()
        self.server.apply_update(seed_update(DocumentKind.CONTENT))
        self.document = LazyDoc(self.server)
        self.client: Doc[Any] = Doc()

    def synced(self) -> Doc[Any]:
        """A client that holds what the server holds (a refused update of its own would hold
        back everything it sends after it: see the README on locks)."""
        self.client = Doc()
        self.client.apply_update(self.server.get_update())
        return self.client

    def typed(self, field: str, text: str) -> bytes:
        """The update a synced client sends for typing into a field (not applied yet)."""
        client = self.synced()
        before = client.get_state()
        target = text_at(client, field)
        target.insert(len(target), text)
        return client.get_update(before)

    def take(self, policy: LockPolicy, update: bytes) -> None:
        """What a room does with an update the policy allowed."""
        self.document.apply(update)
        policy.applied(update)


def test_an_update_to_a_locked_cell_is_refused_and_one_to_another_cell_passes() -> None:
    table = LockTable()
    policy = LockPolicy(NAME, table, EXEMPT)
    workshop = Workshop()
    table.set(NAME, frozenset({"matrix/client.actors"}))
    locked = workshop.typed("matrix/client.actors", "asiakas")
    assert policy.refusal(peer("participant"), locked, workshop.document) is LOCKED
    other = workshop.typed("matrix/client.tasks", "tehtävät")
    assert policy.refusal(peer("participant"), other, workshop.document) is None
    workshop.take(policy, other)
    again = workshop.typed("model/purpose", "tarkoitus")
    assert policy.refusal(peer("participant"), again, workshop.document) is None


def test_facilitators_and_owners_write_through_locks() -> None:
    table = LockTable()
    policy = LockPolicy(NAME, table, EXEMPT)
    workshop = Workshop()
    table.set(NAME, frozenset({"content"}))
    update = workshop.typed("model/purpose", "fasilitaattori kirjoittaa")
    assert policy.refusal(peer("participant"), update, workshop.document) is LOCKED
    assert policy.refusal(peer("facilitator"), update, workshop.document) is None
    assert policy.refusal(peer("owner"), update, workshop.document) is None


def test_a_section_lock_covers_its_cells_and_unlocking_restores_writing() -> None:
    table = LockTable()
    policy = LockPolicy(NAME, table, EXEMPT)
    workshop = Workshop()
    table.set(NAME, frozenset({"matrix"}))
    update = workshop.typed("matrix/political_administrative.finances", "budjetti")
    assert policy.refusal(peer("editor"), update, workshop.document) is LOCKED
    table.set(NAME, frozenset())
    assert policy.refusal(peer("editor"), update, workshop.document) is None


def test_the_index_follows_what_the_document_takes_while_locks_hold() -> None:
    """Text typed by an exempt writer (and so never judged) is known when a participant then
    deletes it: the policy's index followed the update the document took."""
    table = LockTable()
    policy = LockPolicy(NAME, table, EXEMPT)
    workshop = Workshop()
    table.set(NAME, frozenset({"matrix/client.actors"}))
    # Build the index now, with an update that passes.
    first = workshop.typed("model/purpose", "a")
    assert policy.refusal(peer("participant"), first, workshop.document) is None
    workshop.take(policy, first)
    written = workshop.typed("matrix/client.actors", "lukittu")
    assert policy.refusal(peer("facilitator"), written, workshop.document) is None
    workshop.take(policy, written)
    client = workshop.synced()
    before = client.get_state()
    del text_at(client, "matrix/client.actors")[0:3]
    deletion = client.get_update(before)
    assert policy.refusal(peer("participant"), deletion, workshop.document) is LOCKED


def test_a_load_does_not_overwrite_a_newer_order() -> None:
    table = LockTable()
    seen = table.changes(NAME)
    table.set(NAME, frozenset({"matrix"}))  # an order from the bus while the load read
    table.load(NAME, frozenset(), seen)
    assert table.get(NAME) == frozenset({"matrix"})
    table.load(NAME, frozenset({"path"}), table.changes(NAME))
    assert table.get(NAME) == frozenset({"path"})
