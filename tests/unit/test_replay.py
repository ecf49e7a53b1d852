"""Replaying a stored log into a document, batch by batch, and merging a short tail beside its
checkpoint without building one."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Text

from documents.store.log import (
    MERGE_MAX_ENTRIES,
    REPLAY_BATCH,
    StoredDocument,
    replay,
    unbuilt_state,
)


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


def built(update: bytes) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    doc.apply_update(update)
    return doc


def test_a_short_tail_merged_alone_and_applied_after_the_checkpoint_is_the_replayed_state() -> None:
    source, updates = typed(300)
    at_checkpoint = built(updates[0])
    for update in updates[1:200]:
        at_checkpoint.apply_update(update)
    # the last keystroke first: it waits for the others in the merge as in a replay
    tail = [updates[-1], *updates[200:-1]]
    found = stored(tail, checkpoint=at_checkpoint.get_update())

    unbuilt = unbuilt_state(found)

    assert unbuilt is not None
    checkpoint, tail_update = unbuilt
    assert checkpoint is found.checkpoint
    assert tail_update is not None
    merged = built(checkpoint)
    merged.apply_update(tail_update)
    assert str(merged.get("t", type=Text)) == str(source.get("t", type=Text))
    assert merged.get_state() == replay(found).get_state() == source.get_state()


def test_a_checkpoint_alone_is_its_own_state_and_nothing_else_is_merged() -> None:
    _, updates = typed(MERGE_MAX_ENTRIES + 2)
    checkpoint = built(updates[0]).get_update()

    assert unbuilt_state(stored([], checkpoint=checkpoint)) == (checkpoint, None)
    assert unbuilt_state(stored(updates[1:2], checkpoint=checkpoint)) == (checkpoint, updates[1])
    assert unbuilt_state(stored(updates)) is None  # no checkpoint: replayed
    assert unbuilt_state(stored(updates[1:], checkpoint=checkpoint)) is None  # too long a tail
