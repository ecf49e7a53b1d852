"""Reviewed merges between related workshops: pulls from upstream and accepted proposals.

A CRDT merge is all or nothing, so a per-cell review is done in two steps in one edit: merge
everything, then revert the rejected cells with an undo manager scoped to those cells and
tracking only the merge's origin. The merged structs stay in the document's history, so the
next merge brings only what is new and duplicates nothing; the rejected cells keep the
receiving side's own text. Previews run on a scratch copy, never on the live document.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Map, UndoManager

from documents.access import DocumentKind
from documents.diff import differences
from documents.workshop_doc import components_map, content_to_data, load_document, root, text_at

MERGE_ORIGIN = "verstas-merge"


@dataclass(frozen=True, slots=True)
class CellChange:
    """One cell a merge would change: its text on the receiving side now, and after."""

    cell: str
    current: str | None
    incoming: str | None


def incoming_changes(source_state: bytes, target_state: bytes) -> bytes:
    """What the source has that the target lacks, as one update."""
    source = load_document(DocumentKind.CONTENT, source_state)
    target = load_document(DocumentKind.CONTENT, target_state)
    return source.get_update(target.get_state())


def preview(target_state: bytes, incoming: bytes) -> list[CellChange]:
    """The cells merging `incoming` would change, computed on a scratch copy."""
    scratch = load_document(DocumentKind.CONTENT, target_state)
    before = content_to_data(scratch)
    scratch.apply_update(incoming)
    return [
        CellChange(found.cell, found.before, found.after)
        for found in differences(before, content_to_data(scratch))
    ]


class ReviewRefused(ValueError):
    """A review that cannot be applied as it stands; `cells` are the ones at fault, sorted."""

    def __init__(self, message: str, cells: list[str]) -> None:
        super().__init__(message)
        self.cells = cells


class ContradictoryReview(ReviewRefused):
    """Some cells were both accepted and rejected."""


class OutdatedReview(ReviewRefused):
    """Cells changed that the review does not decide: they changed after its preview."""


@dataclass(frozen=True, slots=True)
class Review:
    """A review that covers every cell a merge changes: the changed cells taken and kept."""

    accepted: list[str]
    rejected: list[str]


def check_review(
    changes: Iterable[CellChange], accept: Iterable[str], reject: Iterable[str]
) -> Review:
    """The review of `changes` (the preview as it is now), or why it cannot be applied.

    Every changed cell must be decided: a cell missing from the review changed after the
    preview the reviewer saw, and merging it unseen would take text nobody read. Cells the
    review names that the merge does not change are left out."""
    accepted, rejected = set(accept), set(reject)
    both = accepted & rejected
    if both:
        raise ContradictoryReview("cells both accepted and rejected", sorted(both))
    changed = {change.cell for change in changes}
    undecided = changed - accepted - rejected
    if undecided:
        raise OutdatedReview(
            "these cells changed and were not reviewed: preview again", sorted(undecided)
        )
    return Review(sorted(accepted & changed), sorted(rejected & changed))


def _item_map(doc: Doc[Any], cell: str) -> tuple[Map[Any], str] | None:
    """For `model/components/{id}` and `ideas/{id}`: the map holding the item, and its id."""
    if cell.startswith("model/components/"):
        return components_map(doc), cell.removeprefix("model/components/")
    if cell.startswith("ideas/"):
        return root(doc, "ideas"), cell.removeprefix("ideas/")
    return None


def merge_reviewed(doc: Doc[Any], incoming: bytes, rejected: Collection[str]) -> None:
    """Merge `incoming` into the live document, keeping the document's own text in the
    rejected cells. Run it inside `Room.server_edit`, so the result is one logged update."""
    scopes: list[Any] = []
    new_items: list[tuple[Map[Any], str]] = []
    for cell in rejected:
        item = _item_map(doc, cell)
        if item is None:
            scopes.append(text_at(doc, cell))
        elif item[1] in item[0]:
            scopes.append(item[0][item[1]])
        else:
            new_items.append(item)
    undo = UndoManager(scopes=scopes, capture_timeout_millis=0) if scopes else None
    if undo is not None:
        undo.include_origin(MERGE_ORIGIN)
    with doc.transaction(origin=MERGE_ORIGIN):
        doc.apply_update(incoming)
    if undo is not None:
        while undo.can_undo():
            undo.undo()
    with doc.transaction():
        for items, item_id in new_items:
            if item_id in items:
                del items[item_id]
