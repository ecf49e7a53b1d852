"""The structure of a workshop's three CRDT documents, and reading them to plain data.

The server creates each document's whole structure once, as that document's first update
(`seed_update`), so that no two replicas ever create the same map key: if they did, one whole
value would win at random and the other side's text would vanish. Clients only edit the texts
the seed created and add items (components, ideas, comment threads) under random ids.

Reorderable lists are maps of id -> item with a fractional `order`, never arrays: moving an item
only rewrites its order, so concurrent moves cannot duplicate it and cannot lose a concurrent
edit of its texts. Readers sort by (order, id), which every replica computes identically.

Everything here is pure (no IO). Readers tolerate any shape a client may have written: an entry
of the wrong type reads as empty or is skipped, never raises, because one misbehaving client
must not make a workshop unreadable for everyone else.
"""

from __future__ import annotations

import math
import secrets
from typing import Any, Final, TypedDict

from pycrdt import Doc, Map, Text

from documents.access import DocumentKind
from documents.labels import (
    EVALUATION_SECTIONS,
    MODEL_SECTIONS,
    PATH_SECTIONS,
    PERSPECTIVES,
    TOPICS,
)

ROOTS: Final[dict[DocumentKind, tuple[str, ...]]] = {
    DocumentKind.CONTENT: ("path", "matrix", "evaluation", "model", "ideas"),
    DocumentKind.COMMENTS: ("threads",),
    DocumentKind.SESSION: ("session",),
}


def matrix_key(perspective: str, topic: str) -> str:
    """The key of one matrix cell; a dot keeps it one path segment in field paths."""
    return f"{perspective}.{topic}"


MATRIX_KEYS: Final = tuple(matrix_key(p, t) for p in PERSPECTIVES for t in TOPICS)
_TEXT_SECTIONS: Final[dict[str, tuple[str, ...]]] = {
    "path": PATH_SECTIONS,
    "matrix": MATRIX_KEYS,
    "evaluation": EVALUATION_SECTIONS,
    "model": MODEL_SECTIONS,
}


class Component(TypedDict):
    id: str
    title: str
    description: str


class Idea(TypedDict):
    id: str
    text: str
    author: str
    votes: dict[str, int]


class ContentData(TypedDict):
    path: dict[str, str]
    matrix: dict[str, dict[str, str]]
    evaluation: dict[str, str]
    model: dict[str, str]
    components: list[Component]
    ideas: list[Idea]


def new_item_id() -> str:
    """Random, so replicas adding items concurrently never pick the same map key."""
    return secrets.token_hex(8)


def seed_update(kind: DocumentKind) -> bytes:
    """The first update of a new document of this kind: its whole structure, empty.

    Made on a new `Doc`, which draws a fresh random client id: reusing a client id across
    docs that edit makes replicas diverge silently. The content is the same on every call; the
    bytes differ only by that id. Root types need no creation (they exist by name on every
    replica), so the seeds of the comments and session documents are empty updates, stored all
    the same so that every document starts the same way.
    """
    doc: Doc[Any] = Doc()
    if kind is DocumentKind.CONTENT:
        with doc.transaction(origin="seed"):
            for name, keys in _TEXT_SECTIONS.items():
                section = root(doc, name)
                for key in keys:
                    section[key] = Text()
            root(doc, "model")["components"] = Map()
    return doc.get_update()


def load_document(kind: DocumentKind, *updates: bytes) -> Doc[Any]:
    """A new replica (fresh client id) holding these updates, with every root ready to read.

    On a doc loaded from updates a root reads as None until `doc.get(name, type=...)` has been
    called once; this does that for every root of the kind.
    """
    doc: Doc[Any] = Doc()
    for update in updates:
        doc.apply_update(update)
    for name in ROOTS[kind]:
        root(doc, name)
    return doc


def root(doc: Doc[Any], name: str) -> Map[Any]:
    """A root map, safe on docs loaded from updates (see `load_document`)."""
    section: Map[Any] = doc.get(name, type=Map)
    return section


def text_at(doc: Doc[Any], field: str) -> Text:
    """The text at a field path such as `matrix/client.actors`, `model/purpose`,
    `model/components/{id}/title` or `ideas/{id}/text`: map keys from a root, joined by `/`.

    Raises KeyError when the path does not lead to a text (a deleted item, a typo, or an entry
    a client overwrote with another type).
    """
    head, *rest = field.split("/")
    if head not in ROOTS[DocumentKind.CONTENT] or not rest:
        raise KeyError(field)
    node: Any = root(doc, head)
    for key in rest:
        if not isinstance(node, Map) or key not in node:
            raise KeyError(field)
        node = node[key]
    if not isinstance(node, Text):
        raise KeyError(field)
    return node


def plain_str(value: object) -> str:
    """A text or string entry as str; anything else a client may have written reads as empty."""
    if isinstance(value, Text | str):
        return str(value)
    return ""


def _number(value: object) -> float | None:
    """A finite number (the CRDT hands ints back as floats), or None for anything else."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _order(item: Map[Any]) -> float:
    order = _number(item.get("order"))
    return 0.0 if order is None else order


def ordered_items(items: Map[Any]) -> list[tuple[str, Map[Any]]]:
    """The entries of a reorderable map sorted by (order, id): the same on every replica."""
    entries = [(key, value) for key, value in items.items() if isinstance(value, Map)]
    return sorted(entries, key=lambda entry: (_order(entry[1]), entry[0]))


def _votes(value: object) -> dict[str, int]:
    """Each voter's own count (ints come back from the CRDT as floats)."""
    if not isinstance(value, Map):
        return {}
    counts = {user: _number(count) for user, count in value.items()}
    return {user: int(count) for user, count in counts.items() if count is not None and count >= 1}


def content_to_data(doc: Doc[Any]) -> ContentData:
    """The content document as JSON-able data: every section keyed by its stable key (missing
    entries read as empty), the matrix as perspective -> topic -> text, lists in their order."""
    with doc.transaction():
        # Each root's entries read at once: a lookup per key cost four times as much (the
        # family page reads two hundred documents per answer).
        sections: dict[str, dict[str, str]] = {}
        for name, keys in _TEXT_SECTIONS.items():
            entries = dict(root(doc, name).items())
            sections[name] = {key: plain_str(entries.get(key)) for key in keys}
        components = root(doc, "model").get("components")
        return {
            "path": sections["path"],
            "matrix": {
                p: {t: sections["matrix"][matrix_key(p, t)] for t in TOPICS} for p in PERSPECTIVES
            },
            "evaluation": sections["evaluation"],
            "model": sections["model"],
            "components": [
                {
                    "id": key,
                    "title": plain_str(item.get("title")),
                    "description": plain_str(item.get("description")),
                }
                for key, item in (ordered_items(components) if isinstance(components, Map) else [])
            ],
            "ideas": [
                {
                    "id": key,
                    "text": plain_str(item.get("text")),
                    "author": plain_str(item.get("author")),
                    "votes": _votes(item.get("votes")),
                }
                for key, item in ordered_items(root(doc, "ideas"))
            ],
        }


def _between(low: float | None, high: float | None) -> float | None:
    """An order strictly between two neighbours' orders, or None when floats leave no room."""
    if low is None:
        candidate = 0.0 if high is None else high - 1.0
    elif high is None:
        candidate = low + 1.0
    else:
        candidate = low + (high - low) / 2
    above = low is None or low < candidate
    below = high is None or candidate < high
    return candidate if above and below else None


def _order_after(items: Map[Any], after: str | None) -> float:
    """The order of a new item placed right after `after`, or at the end when it is None.

    When repeated insertions between the same two neighbours exhaust a float's precision, every
    item is renumbered 0, 1, 2, ... first (as the page does when it moves an item: see
    web/client/order.js). A renumbering that races a concurrent move may undo that move (last
    writer wins on each order); it never duplicates or drops an item.
    """
    ids = [key for key, _ in ordered_items(items)]
    if after is not None and after not in ids:
        raise KeyError(after)
    before_id = after if after is not None else (ids[-1] if ids else None)
    position = ids.index(before_id) + 1 if before_id is not None else 0
    after_id = ids[position] if after is not None and position < len(ids) else None

    def neighbours_order() -> float | None:
        return _between(
            None if before_id is None else _order(items[before_id]),
            None if after_id is None else _order(items[after_id]),
        )

    order = neighbours_order()
    if order is None:
        for rank, key in enumerate(ids):
            items[key]["order"] = float(rank)
        order = neighbours_order()
    assert order is not None, "ranks are one apart, so there is always room between them"
    return order


def components_map(doc: Doc[Any]) -> Map[Any]:
    """The components map the seed created (KeyError if a client replaced it)."""
    components = root(doc, "model").get("components")
    if not isinstance(components, Map):
        raise KeyError("model/components")
    return components


def add_component(
    doc: Doc[Any],
    title: str,
    description: str,
    after: str | None = None,
    *,
    component_id: str | None = None,
) -> str:
    """Add a component right after `after` (at the end when None) and return its id.

    `component_id` is for imports, which keep the ids that comments anchor to.
    """
    items = components_map(doc)
    key = new_item_id() if component_id is None else component_id
    if key in items:
        raise ValueError(f"component {key!r} exists")
    with doc.transaction():
        order = _order_after(items, after)
        items[key] = Map({"order": order, "title": Text(title), "description": Text(description)})
    return key


def add_idea(
    doc: Doc[Any],
    text: str,
    author: str,
    after: str | None = None,
    *,
    idea_id: str | None = None,
) -> str:
    """Add an idea (a sticky note) right after `after` (at the end when None); returns its id."""
    items = root(doc, "ideas")
    key = new_item_id() if idea_id is None else idea_id
    if key in items:
        raise ValueError(f"idea {key!r} exists")
    with doc.transaction():
        order = _order_after(items, after)
        items[key] = Map({"order": order, "text": Text(text), "author": author, "votes": Map()})
    return key


def set_votes(doc: Doc[Any], idea_id: str, user_id: str, count: int) -> None:
    """Set one user's dot votes on an idea. Each user writes only their own key, so concurrent
    votes by different users all count (a shared counter would lose increments)."""
    idea = root(doc, "ideas").get(idea_id)
    votes = idea.get("votes") if isinstance(idea, Map) else None
    if not isinstance(votes, Map):
        raise KeyError(idea_id)
    if count < 0:
        raise ValueError("votes cannot be negative")
    with doc.transaction():
        if count:
            votes[user_id] = count
        elif user_id in votes:
            del votes[user_id]
