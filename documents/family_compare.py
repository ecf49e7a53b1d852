"""Members of a family side by side, cell by cell: pure, on plain data (no IO).

A reader of a model's family wants to see where the model was put into practice and under
which local changes (DOMAIN.md, "Goodness is a property of an implementation"). So each
member's cell is marked with what *that member* changed: a fork's text is compared with the
text it was taken with (the parent's state that the fork started from), not with its parent
as the parent is now, which would credit the fork with every later change upstream. A change
the fork took from upstream (its text is the parent's current text) is not its own either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Literal, TypedDict

from documents.labels import (
    EVALUATION_SECTIONS,
    MODEL_SECTIONS,
    PATH_SECTIONS,
    PERSPECTIVES,
    TOPICS,
)
from documents.workshop_doc import matrix_key

Change = Literal["added", "removed", "rewritten"]
Cells = Mapping[str, str]
"""Cell path -> text, as `documents.diff.cell_texts` reads a content document."""

PARTS: Final = ("model", "matrix", "path", "evaluation")
"""What can be compared, in the order the model page and the exports present them; a part
stands for all its cells (the model's with its components). Ideas are a session's sticky
notes, not part of a model, and are never compared."""

COMPONENTS: Final = "model/components/"


def _fixed_cells() -> dict[str, tuple[str, ...]]:
    matrix = tuple(f"matrix/{matrix_key(p, t)}" for t in TOPICS for p in PERSPECTIVES)
    return {
        "model": tuple(f"model/{key}" for key in MODEL_SECTIONS),
        "matrix": matrix,
        "path": tuple(f"path/{key}" for key in PATH_SECTIONS),
        "evaluation": tuple(f"evaluation/{key}" for key in EVALUATION_SECTIONS),
    }


FIXED_CELLS: Final = _fixed_cells()
"""Every part's cells that every workshop has, in order (the matrix topic by topic)."""


class CellView(TypedDict):
    text: str | None
    """None: the member has no such cell (a component it never had, or removed)."""
    change: Change | None
    """What this member changed in the cell since it was adopted; None for no change."""


def part_of(cell: str) -> str | None:
    """The comparable part a cell belongs to, None for one that is never compared."""
    head = cell.split("/", 1)[0]
    return head if head in PARTS else None


def is_valid_request(item: str) -> bool:
    """A part's name, or the path of one of its cells (a component by its id)."""
    if item in PARTS:
        return True
    part = part_of(item)
    if part is None:
        return False
    if item.startswith(COMPONENTS):
        return len(item) > len(COMPONENTS) and "/" not in item[len(COMPONENTS) :]
    return item in FIXED_CELLS[part]


def wanted_cells(requested: Iterable[str], members: Sequence[Cells]) -> list[str]:
    """The cells to show, in the parts' order: the fixed cells of each requested part, then
    each component any member has (in the order the members are given, each member's in its
    own order), and the single cells asked for by path."""
    asked = set(requested)
    order: list[str] = []
    seen: set[str] = set()

    def add(cell: str) -> None:
        if cell not in seen:
            seen.add(cell)
            order.append(cell)

    for part in PARTS:
        for cell in FIXED_CELLS[part]:
            if part in asked or cell in asked:
                add(cell)
        if part == "model":
            for cells in members:
                for cell in cells:
                    if cell.startswith(COMPONENTS) and ("model" in asked or cell in asked):
                        add(cell)
    return order


def change(before: str | None, after: str | None) -> Change | None:
    """How a cell went from `before` to `after` (None: no cell; "" an empty one)."""
    if (before or "") == (after or ""):
        return None
    if not before:
        return "added"
    if not after:
        return "removed"
    return "rewritten"


def member_view(
    cells: Sequence[str], now: Cells, taken: Cells | None, parent_now: Cells | None
) -> dict[str, CellView]:
    """One member's cells, each with what the member changed in it.

    `taken` is the state the member was adopted with (None for the family's root, which
    changed nothing from anyone); `parent_now` the parent as it is now, when the reader may
    read it: a text equal to it was taken from upstream, not changed here.
    """
    view: dict[str, CellView] = {}
    for cell in cells:
        text = now.get(cell)
        marked: Change | None = None
        if taken is not None:
            marked = change(taken.get(cell), text)
            if marked is not None and parent_now is not None and parent_now.get(cell) == text:
                marked = None
        view[cell] = {"text": text, "change": marked}
    return view
