"""Restoring a version as a new forward change on the live document.

Stored bytes are never swapped: the restore edits the live document until its cells read as
the version's did, so collaborators see it live, history keeps both states, and a restore is
itself undone by restoring the version before it. Only what differs is touched, so text
nobody changed keeps its identity (and the comment anchors on it).
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map, Text

from documents.diff import cell_texts
from documents.workshop_doc import (
    ContentData,
    components_map,
    content_to_data,
    text_at,
)


def _set_text(text: Text, value: str) -> None:
    # pycrdt counts Text positions in UTF-8 bytes; a whole-text replace needs no conversion.
    del text[0 : len(text)]
    text.insert(0, value)


def restore(doc: Doc[Any], target: ContentData) -> list[str]:
    """Make the live content read as `target`; returns the cells that changed."""
    current = content_to_data(doc)
    before, after = cell_texts(current), cell_texts(target)
    changed = sorted(
        key for key in before.keys() | after.keys() if before.get(key) != after.get(key)
    )
    with doc.transaction(origin="verstas-restore"):
        for section in ("path", "evaluation", "model"):
            for key, value in target[section].items():
                if current[section].get(key) != value:
                    _set_text(text_at(doc, f"{section}/{key}"), value)
        for perspective, topics in target["matrix"].items():
            for topic, value in topics.items():
                if current["matrix"].get(perspective, {}).get(topic) != value:
                    _set_text(text_at(doc, f"matrix/{perspective}.{topic}"), value)
        _restore_components(doc, target, current)
    return changed


def _restore_components(doc: Doc[Any], target: ContentData, current: ContentData) -> None:
    """Components as the version had them. (Ideas are working material of live sessions and
    are left as they are.) Orders are rewritten only when the sequence itself must change."""
    items = components_map(doc)
    target_ids = [component["id"] for component in target["components"]]
    current_ids = [component["id"] for component in current["components"]]
    renumber = [i for i in current_ids if i in target_ids] != target_ids
    for key in list(items.keys()):
        if key not in target_ids:
            del items[key]
    for index, component in enumerate(target["components"]):
        item = items.get(component["id"]) if component["id"] in items else None
        if not isinstance(item, Map):
            items[component["id"]] = Map(
                {
                    "order": float(index),
                    "title": Text(component["title"]),
                    "description": Text(component["description"]),
                }
            )
            continue
        if renumber:
            item["order"] = float(index)
        for field in ("title", "description"):
            value = item.get(field)
            wanted = component[field]
            if not isinstance(value, Text):
                item[field] = Text(wanted)
            elif str(value) != wanted:
                _set_text(value, wanted)
