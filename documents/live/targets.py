"""What a facilitator can point at in the content document: focus, locks, a phase's work.

Targets are field paths as the diffs and reviews already name them (documents/diff.py): a cell
(`matrix/client.actors`, `model/purpose`, `model/components/{id}`, `ideas/{id}`), a section
(`path`, `matrix`, `evaluation`, `model`, `ideas`), or `content` for the whole document. A
matrix column or row is the list of its cells.
"""

from __future__ import annotations

import re
from typing import Final

from documents.access import DocumentKind
from documents.labels import EVALUATION_SECTIONS, MODEL_SECTIONS, PATH_SECTIONS
from documents.workshop_doc import MATRIX_KEYS, ROOTS

CONTENT: Final = "content"
SECTIONS: Final = ROOTS[DocumentKind.CONTENT]
# Item ids are random hex from `new_item_id`; imports keep whatever ids the export carried.
_ITEM_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CELLS: Final[dict[str, frozenset[str]]] = {
    "path": frozenset(PATH_SECTIONS),
    "matrix": frozenset(MATRIX_KEYS),
    "evaluation": frozenset(EVALUATION_SECTIONS),
    "model": frozenset(MODEL_SECTIONS),
}
COMPONENTS: Final = "model/components/"
IDEAS: Final = "ideas/"


class InvalidTarget(ValueError):
    """A target that names no part of the content document."""


def check_target(target: str) -> str:
    """The target itself when it names a cell, a section or the whole content; InvalidTarget
    otherwise. Items (components, ideas) are checked for the shape of their id only: whether
    one exists is a question for the document (`item_id`)."""
    if target == CONTENT or target in SECTIONS:
        return target
    if item_id(target) is not None:
        return target
    head, _, rest = target.partition("/")
    if rest in _CELLS.get(head, ()):
        return target
    raise InvalidTarget(
        f"{target!r} is not a target: name a cell (matrix/client.actors, model/purpose, "
        f"model/components/ID, ideas/ID), a section ({', '.join(SECTIONS)}) or {CONTENT!r}"
    )


def item_id(target: str) -> str | None:
    """The id of the component or idea a target names (`model/components/ID`, `ideas/ID`)."""
    for prefix in (COMPONENTS, IDEAS):
        if target.startswith(prefix):
            rest = target[len(prefix) :]
            return rest if _ITEM_ID.fullmatch(rest) else None
    return None
