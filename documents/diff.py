"""Which cells and sections of a workshop differ between two states: pure, on plain data.

A "cell" is anything with its own text under a stable key: the 24 matrix cells, the
development-path, evaluation and model sections (`matrix/client.actors`, `model/purpose`, ...),
and each component and idea by id. This is the unit of divergence in the lineage view and of
review in pulls and proposals.
"""

from __future__ import annotations

from dataclasses import dataclass

from documents.workshop_doc import ContentData


@dataclass(frozen=True, slots=True)
class CellDifference:
    """One cell whose text differs between two states; None on the side it does not exist."""

    cell: str
    before: str | None
    after: str | None


def cell_texts(data: ContentData) -> dict[str, str]:
    """Every cell's text by its field path (components and ideas as one line per item)."""
    cells: dict[str, str] = {}
    for section in ("path", "evaluation", "model"):
        for key, text in data[section].items():
            cells[f"{section}/{key}"] = text
    for perspective, topics in data["matrix"].items():
        for topic, text in topics.items():
            cells[f"matrix/{perspective}.{topic}"] = text
    for component in data["components"]:
        cells[f"model/components/{component['id']}"] = (
            f"{component['title']}\n{component['description']}"
        )
    for idea in data["ideas"]:
        cells[f"ideas/{idea['id']}"] = idea["text"]
    return cells


def differences(before: ContentData, after: ContentData) -> list[CellDifference]:
    """The cells whose text differs, or that exist on one side only, sorted by field path."""
    old, new = cell_texts(before), cell_texts(after)
    return [
        CellDifference(cell, old.get(cell), new.get(cell))
        for cell in sorted(old.keys() | new.keys())
        if old.get(cell) != new.get(cell)
    ]


def changed_cells(before: ContentData, after: ContentData) -> list[str]:
    """Field paths whose text differs, or that exist on one side only, sorted."""
    return [difference.cell for difference in differences(before, after)]
