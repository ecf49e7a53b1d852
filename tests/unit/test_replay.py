"""Replaying a stored log into a document, batch by batch."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Text

from documents.store.log import REPLAY_BATCH, StoredDocument, replay


def typed(count: int) -> tuple[Doc[Any], list[bytes]]:
    """A document and the update of each of its `count` keystrokes, in order."""
    doc: Doc[Any] = Doc()
    text = doc.get("t", type=Text)
    updates = []
    for n in range(count):
        before = doc.get_state()
        text.insert(len(text) - n % 3 if len(text) >= 3 else 0, f"{n % 10}")
        updates.append(doc.get_update(before))
    return doc, updates


def stored(updates: list[bytes], checkpoint: bytes | None = None) -> StoredDocument:
    return StoredDocument("doc", checkpoint, 0, list(enumerate(updates, start=1)))


def test_a_tail_longer_than_a_batch_replays_to_the_same_document() -> None:
    source, updates = typed(REPLAY_BATCH * 2 + 7)
    replayed = replay(stored(updates))
    assert str(replayed.get("t", type=Text)) == str(source.get("t", type=Text))
    assert replayed.get_state() == source.get_state()


def test_entries_wait_for_a_dependency_logged_in_a_later_batch() -> None:
    source, updates = typed(REPLAY_BATCH + 2)
    first_keystroke_last = [*updates[1:], updates[0]]  # every other keystroke builds on it
    replayed = replay(stored(first_keystroke_last))
    assert str(replayed.get("t", type=Text)) == str(source.get("t", type=Text))
    assert replayed.get_state() == source.get_state()


def test_the_tail_is_replayed_on_top_of_the_checkpoint() -> None:
    source, updates = typed(REPLAY_BATCH + 10)
    at_checkpoint: Doc[Any] = Doc()
    for update in updates[:100]:
        at_checkpoint.apply_update(update)
    replayed = replay(stored(updates[100:], checkpoint=at_checkpoint.get_update()))
    assert str(replayed.get("t", type=Text)) == str(source.get("t", type=Text))
    assert replayed.get_state() == source.get_state()
