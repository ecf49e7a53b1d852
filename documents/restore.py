"""Restoring a version as a new forward change on the live document.

Stored bytes are never swapped: the restore edits the live document until it reads as the
version did, so collaborators see it live, history keeps both states, and a restore is itself
undone by restoring the version before it.

Only what differs is touched. Each text gets the fewest deletes and inserts of whole words that
turn it into the version's text (`splices`), so every character nobody changed keeps its CRDT
identity, and with it the comment anchors on it (Yjs relative positions name characters, see
documents/comments.py): replacing a whole text would detach every thread on it. Words rather
than characters are the unit so that a changed word goes as a whole: a character diff would
keep the letters two unrelated sentences happen to share, and a thread on a deleted word would
cling to them. Items of the reorderable lists (components, ideas) keep their ids, so a kept
item's texts are diffed the same way; orders are rewritten only when the sequence must change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Protocol, TypeVar

from pycrdt import Doc, Map, Text

from documents.diff import cell_texts
from documents.workshop_doc import (
    Component,
    ContentData,
    Idea,
    components_map,
    content_to_data,
    ordered_items,
    root,
    text_at,
)

# A word, or any one other character (a space, a line break, a punctuation mark).
_TOKEN = re.compile(r"\w+|\W", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Splice:
    """Replace characters `start:end` of the current text (code points) with `insert`."""

    start: int
    end: int
    insert: str


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def splices(current: str, target: str) -> list[Splice]:
    """The edits that turn `current` into `target`, last first, so that each one's offsets are
    still those of `current` when it is applied (in this order). Nothing when they are equal.

    Whole words are kept or replaced (see the module's docstring); the common head and tail are
    cut off first, so the usual edit (one place in a long text) costs a scan, not a diff.
    """
    if current == target:
        return []
    old, new = _tokens(current), _tokens(target)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_middle, new_middle = old[head : len(old) - tail], new[head : len(new) - tail]
    offsets = [0]
    for token in old:
        offsets.append(offsets[-1] + len(token))
    matcher = SequenceMatcher(None, old_middle, new_middle, autojunk=False)
    found = [
        Splice(offsets[head + i1], offsets[head + i2], "".join(new_middle[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
    return found[::-1]


def _edit_text(text: Text, target: str) -> None:
    """Apply `splices` to a live text. pycrdt counts Text positions in UTF-8 bytes; the text
    before each splice is untouched by the splices applied before it (they lie after it)."""
    current = str(text)
    for splice in splices(current, target):
        start = len(current[: splice.start].encode())
        end = start + len(current[splice.start : splice.end].encode())
        if end > start:
            del text[start:end]
        if splice.insert:
            text.insert(start, splice.insert)


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
                    _edit_text(text_at(doc, f"{section}/{key}"), value)
        for perspective, topics in target["matrix"].items():
            for topic, value in topics.items():
                if current["matrix"].get(perspective, {}).get(topic) != value:
                    _edit_text(text_at(doc, f"matrix/{perspective}.{topic}"), value)
        _restore_list(components_map(doc), target["components"], _Components())
        _restore_list(root(doc, "ideas"), target["ideas"], _Ideas())
    return changed


class _Components:
    def fresh(self, order: float, wanted: Component) -> Map[Any]:
        title, description = Text(wanted["title"]), Text(wanted["description"])
        return Map({"order": order, "title": title, "description": description})

    def edit(self, item: Map[Any], wanted: Component) -> None:
        _set_text(item, "title", wanted["title"])
        _set_text(item, "description", wanted["description"])


class _Ideas:
    def fresh(self, order: float, wanted: Idea) -> Map[Any]:
        return Map(
            {
                "order": order,
                "text": Text(wanted["text"]),
                "author": wanted["author"],
                "votes": Map(dict(wanted["votes"])),
            }
        )

    def edit(self, item: Map[Any], wanted: Idea) -> None:
        _set_text(item, "text", wanted["text"])
        if item.get("author") != wanted["author"]:
            item["author"] = wanted["author"]
        votes = item.get("votes")
        if not isinstance(votes, Map):
            item["votes"] = Map(dict(wanted["votes"]))
            return
        for user in [user for user, _ in votes.items() if user not in wanted["votes"]]:
            del votes[user]
        for user, count in wanted["votes"].items():
            if votes.get(user) != count:
                votes[user] = count


def _set_text(item: Map[Any], field: str, wanted: str) -> None:
    value = item.get(field)
    if isinstance(value, Text):
        _edit_text(value, wanted)
    else:
        item[field] = Text(wanted)


_Item = TypeVar("_Item", Component, Idea)
_Wanted = TypeVar("_Wanted", Component, Idea, contravariant=True)


class _ListKind(Protocol[_Wanted]):
    """How one reorderable list's items are made and edited."""

    def fresh(self, order: float, wanted: _Wanted) -> Map[Any]: ...

    def edit(self, item: Map[Any], wanted: _Wanted) -> None: ...


def _restore_list(items: Map[Any], target: list[_Item], kind: _ListKind[_Item]) -> None:
    """A reorderable list (id -> Map with an `order`) as the version had it: items it did not
    have are removed, items it had that the list lost are added back under their ids, and the
    items both have are edited field by field."""
    target_ids = [wanted["id"] for wanted in target]
    wanted_ids = set(target_ids)
    renumber = [key for key, _ in ordered_items(items) if key in wanted_ids] != target_ids
    for key in [key for key, _ in items.items() if key not in wanted_ids]:
        del items[key]
    for index, wanted in enumerate(target):
        item = items.get(wanted["id"])
        if not isinstance(item, Map):
            items[wanted["id"]] = kind.fresh(float(index), wanted)
            continue
        if renumber:
            item["order"] = float(index)
        kind.edit(item, wanted)
