"""Reviewed merges between related workshops: pulls from upstream and accepted proposals.

A CRDT merge is all or nothing, so a per-cell review is done in two steps in one edit: merge
everything, then revert the rejected cells with an undo manager scoped to those cells and
tracking only the merge's origin. The merged structs stay in the document's history, so the
next merge brings only what is new and duplicates nothing; the rejected cells keep the
receiving side's own text. Previews run on a scratch copy, never on the live document.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Map, Text, UndoManager

from documents.access import DocumentKind
from documents.diff import cell_texts, differences
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


ITEM_CELLS = ("model/components/", "ideas/")


def missed_items(
    source_state: bytes,
    target_state: bytes,
    changed_paths: Collection[str],
    offered: Collection[str],
) -> list[CellChange]:
    """Components and ideas the source changed (`changed_paths`: where the incoming update's
    items sit in the source) that a merge cannot bring: the target removed the item, as when it
    declined it in an earlier review, or holds it as an item of its own made again. Each is
    offered with the source's text; taking it makes the item again as the source has it
    (`item_data`, `merge_reviewed`'s `revived`). Cells `offered` already are left out."""
    source = cell_texts(content_to_data(load_document(DocumentKind.CONTENT, source_state)))
    target = cell_texts(content_to_data(load_document(DocumentKind.CONTENT, target_state)))
    missed = []
    for cell, text in source.items():
        if not cell.startswith(ITEM_CELLS) or cell in offered or target.get(cell) == text:
            continue
        if any(path == cell or path.startswith(cell + "/") for path in changed_paths):
            missed.append(CellChange(cell, target.get(cell), text))
    return missed


def item_data(state: bytes, cells: Collection[str]) -> dict[str, dict[str, Any]]:
    """The items at these cells as plain values, to make them again elsewhere."""
    doc = load_document(DocumentKind.CONTENT, state)
    found = {}
    for cell in cells:
        item = _item_map(doc, cell)
        if item is not None and item[1] in item[0]:
            found[cell] = _plain_item(item[0][item[1]])
    return found


def _item_map(doc: Doc[Any], cell: str) -> tuple[Map[Any], str] | None:
    """For `model/components/{id}` and `ideas/{id}`: the map holding the item, and its id."""
    if cell.startswith("model/components/"):
        return components_map(doc), cell.removeprefix("model/components/")
    if cell.startswith("ideas/"):
        return root(doc, "ideas"), cell.removeprefix("ideas/")
    return None


def _plain_item(item: Any) -> dict[str, Any]:
    """A component's or idea's entries as plain values (texts as strings)."""
    if not isinstance(item, Map):
        return {}
    return {key: value.to_py() if hasattr(value, "to_py") else value for key, value in item.items()}


def _item_from(data: dict[str, Any]) -> Map[Any]:
    """An item made again from `_plain_item`: its texts as texts, its votes as a map."""
    entries: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("title", "description", "text") and isinstance(value, str):
            entries[key] = Text(value)
        elif isinstance(value, dict):
            entries[key] = Map(value)
        else:
            entries[key] = value
    return Map(entries)


def merge_reviewed(
    doc: Doc[Any],
    incoming: bytes,
    rejected: Collection[str],
    revived: Mapping[str, dict[str, Any]] | None = None,
) -> None:
    """Merge `incoming` into the live document, keeping the document's own text in the
    rejected cells, and making the `revived` items (`missed_items` taken) again as given.
    Run it inside `Room.server_edit`, so the result is one logged update."""
    scopes: list[Any] = []
    new_items: list[tuple[Map[Any], str]] = []
    kept_items: list[tuple[Map[Any], str, dict[str, Any]]] = []
    for cell in rejected:
        item = _item_map(doc, cell)
        if item is None:
            scopes.append(text_at(doc, cell))
        elif item[1] in item[0]:
            scopes.append(item[0][item[1]])
            # Removing the item from its map is a change to the map, outside the item's own
            # scope: an item the other side removed is put back as it was, if it goes.
            kept_items.append((item[0], item[1], _plain_item(item[0][item[1]])))
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
        for items, item_id, data in kept_items:
            if item_id not in items:
                items[item_id] = _item_from(data)
        for cell, data in (revived or {}).items():
            item = _item_map(doc, cell)
            if item is not None and data:
                item[0][item[1]] = _item_from(data)
