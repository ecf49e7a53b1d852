"""Comment threads and their anchors: the comments document, read against the content one.

Comments live in their own document so that commenters can write them without being able to
write the content. A thread is anchored to a range of one content text by two Yjs relative
positions (pycrdt `StickyIndex`, byte-compatible with `Y.RelativePosition`): they name the
characters, not an index, so the range follows concurrent edits on any replica, forks included.

The start position sticks to the first anchored character (assoc AFTER) and the end position
to the last one (assoc BEFORE), so text typed concurrently right before or right after the
range stays outside it and text typed inside it stays inside. A start at the very end of a
text is a BEFORE position too (AFTER there panics). Browser clients creating anchors must do the
same: `assoc >= 0` for the start (-1 at the end of the text), `assoc = -1` for the end.

Offsets in this API are Python string indices (code points). pycrdt 0.14 cannot convert them
itself: `Text.insert`/`len` count UTF-8 bytes, and sticky indexes count UTF-8 bytes for the
blocks they skip but UTF-16 units inside the block they land in, so any non-ASCII character
before an anchor in the same block shifts it (pycrdt issues #379/#382). `AnchorIndex` works on a
private copy of the content document in which a throwaway `format` call makes every non-ASCII
character end its block; there both counts agree, so byte offsets are exact and convert to
characters. The copy never leaves this module and its edits are never sent anywhere.
"""

from __future__ import annotations

import base64
from typing import Any, TypedDict

from pycrdt import Array, Assoc, Doc, Map, StickyIndex, Text

from documents.workshop_doc import new_item_id, plain_str, root, text_at


class AnchorPositions(TypedDict):
    """An anchor as stored: the field path and two encoded relative positions (empty bytes
    when it has none, as for a thread imported after its text was deleted)."""

    field: str
    start: bytes
    end: bytes


class Anchor(TypedDict):
    """An anchor resolved against the content now; start and end are None (and the quote
    empty) when every character it anchored is deleted or its positions cannot be read."""

    field: str
    start: int | None
    end: int | None
    quote: str


class LiveAnchor(Anchor):
    """A resolved anchor with its positions, base64, for clients that track it live."""

    start_position: str
    end_position: str


class Reply(TypedDict):
    author: str
    created: str
    body: str


class Thread(TypedDict):
    id: str
    author: str
    created: str
    resolved: bool
    body: str
    anchor: LiveAnchor
    replies: list[Reply]


_SPLIT = "verstas:split"


def _after(text: Text, value: str, index: int) -> bytes:
    return text.sticky_index(len(value[:index].encode()), Assoc.AFTER).encode()


def _before(text: Text, value: str, index: int) -> bytes:
    """The position right after character `index - 1`, named by that character's last UTF-16
    unit. Built from the character's id: pycrdt steps back one byte, not one character."""
    if index == 0:
        return text.sticky_index(0, Assoc.BEFORE).encode()
    item = text.sticky_index(len(value[: index - 1].encode()), Assoc.AFTER).to_json()["item"]
    units = len(value[index - 1].encode("utf-16-le")) // 2
    last = {"client": item["client"], "clock": item["clock"] + units - 1}
    return StickyIndex.from_json({"item": last, "assoc": int(Assoc.BEFORE)}).encode()


def _char_offset(position: bytes, text: Text, encoded: bytes) -> int | None:
    """Where a stored position points now, in characters, or None if pycrdt cannot read it.

    An AFTER position lands on the start of its character; a BEFORE one lands inside (or at
    the end of) the character it follows, so it rounds up. Positions come from clients:
    garbage or an unknown item makes pycrdt panic (a BaseException), which must not take the
    reader down.
    """
    if not position:
        return None
    try:
        sticky = StickyIndex.decode(position, text)
        offset = min(max(sticky.get_index(), 0), len(encoded))
        after = sticky.assoc == Assoc.AFTER
    except Exception:
        return None
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        return None
    chars = len(encoded[:offset].decode("utf-8", errors="ignore"))
    inside = offset < len(encoded) and encoded[offset] & 0xC0 == 0x80
    return chars + 1 if inside and not after else chars


def _deleted(position: bytes, text: Text) -> bool:
    """Whether the character a position names has been deleted. A live character has a width,
    so the places right before and right after it differ; a deleted one has none (Yjs and yrs
    resolve both sides of it to where it was). A position naming no character (the start of
    an empty text) names nothing that could be deleted."""
    try:
        item = StickyIndex.decode(position, text).to_json().get("item")
        if item is None:
            return False
        sides = {
            StickyIndex.from_json({"item": item, "assoc": int(assoc)}, text).get_index()
            for assoc in (Assoc.AFTER, Assoc.BEFORE)
        }
    except Exception:
        return False
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        return False
    return len(sides) == 1


class AnchorIndex:
    """Converts between character ranges and anchor positions for one state of the content
    document: make one per batch (an export, an import), not per anchor, since it copies the
    document. Later edits of the document are not seen."""

    def __init__(self, content: Doc[Any]) -> None:
        self._copy: Doc[Any] = Doc()
        self._copy.apply_update(content.get_update())
        self._texts: dict[str, Text] = {}

    def _text(self, field: str) -> Text:
        """The field's text in the copy, each non-ASCII character ending its own block."""
        text = self._texts.get(field)
        if text is None:
            text = text_at(self._copy, field)
            offset = 0
            with self._copy.transaction():
                for index, char in enumerate(str(text)):
                    size = len(char.encode())
                    if size > 1:
                        text.format(offset, offset + size, {_SPLIT: index})
                    offset += size
            self._texts[field] = text
        return text

    def anchor(self, field: str, start: int, end: int) -> AnchorPositions:
        """Positions anchoring a thread to `text[start:end]` of the field (a `text_at` path).
        Raises KeyError for an unknown field and ValueError for a range outside its text."""
        text = self._text(field)
        value = str(text)
        if not 0 <= start <= end <= len(value):
            raise ValueError(f"range {start}..{end} is outside {field} ({len(value)} characters)")
        first = _after(text, value, start) if start < len(value) else _before(text, value, start)
        return {"field": field, "start": first, "end": _before(text, value, end)}

    def resolve(self, positions: AnchorPositions) -> Anchor:
        """The range the anchor covers now and the words it quotes. The field names the text;
        a position pointing elsewhere (only a misbehaving client makes one) is clamped into it."""
        field = positions["field"]
        orphan: Anchor = {"field": field, "start": None, "end": None, "quote": ""}
        try:
            text = self._text(field)
        except KeyError:
            return orphan
        value = str(text)
        encoded = value.encode()
        first = _char_offset(positions["start"], text, encoded)
        last = _char_offset(positions["end"], text, encoded)
        if first is None or last is None:
            return orphan
        end = max(first, last)
        if end == first and _deleted(positions["start"], text):
            # Every anchored character is gone: the range closed up where they were.
            return orphan
        return {"field": field, "start": first, "end": end, "quote": value[first:end]}


def anchor(doc: Doc[Any], field: str, start: int, end: int) -> AnchorPositions:
    """One anchor on the document as it is now (see `AnchorIndex.anchor`)."""
    return AnchorIndex(doc).anchor(field, start, end)


def resolve_anchor(doc: Doc[Any], positions: AnchorPositions) -> Anchor:
    """One anchor resolved on the document as it is now (see `AnchorIndex.resolve`)."""
    return AnchorIndex(doc).resolve(positions)


def add_thread(
    comments: Doc[Any],
    positions: AnchorPositions,
    author: str,
    body: str,
    created: str,
    *,
    resolved: bool = False,
    thread_id: str | None = None,
) -> str:
    """Open a thread (`created` is an ISO 8601 time) and return its id; `thread_id` is for
    imports, which keep ids."""
    threads = root(comments, "threads")
    key = new_item_id() if thread_id is None else thread_id
    if key in threads:
        raise ValueError(f"thread {key!r} exists")
    threads[key] = Map(
        {
            "anchor": Map(
                {"field": positions["field"], "start": positions["start"], "end": positions["end"]}
            ),
            "author": author,
            "created": created,
            "resolved": resolved,
            "body": Text(body),
            "replies": Array(),
        }
    )
    return key


def add_reply(comments: Doc[Any], thread_id: str, author: str, body: str, created: str) -> None:
    """Append a reply; concurrent replies are all kept, in an order every replica agrees on."""
    thread = root(comments, "threads").get(thread_id)
    replies = thread.get("replies") if isinstance(thread, Map) else None
    if not isinstance(replies, Array):
        raise KeyError(thread_id)
    replies.append(Map({"author": author, "created": created, "body": Text(body)}))


def _bytes(value: object) -> bytes:
    return bytes(value) if isinstance(value, bytes | bytearray) else b""


def _stored_positions(value: object) -> AnchorPositions:
    if not isinstance(value, Map):
        return {"field": "", "start": b"", "end": b""}
    return {
        "field": plain_str(value.get("field")),
        "start": _bytes(value.get("start")),
        "end": _bytes(value.get("end")),
    }


def _reply(value: Map[Any]) -> Reply:
    return {
        "author": plain_str(value.get("author")),
        "created": plain_str(value.get("created")),
        "body": plain_str(value.get("body")),
    }


def comments_to_data(comments: Doc[Any], content: Doc[Any]) -> list[Thread]:
    """Every thread as plain data, oldest first (ties by id), anchors resolved against the
    content document."""
    anchors = AnchorIndex(content)
    threads: list[Thread] = []
    with comments.transaction():
        for key, thread in root(comments, "threads").items():
            if not isinstance(thread, Map):
                continue
            positions = _stored_positions(thread.get("anchor"))
            replies = thread.get("replies")
            threads.append(
                {
                    "id": key,
                    "author": plain_str(thread.get("author")),
                    "created": plain_str(thread.get("created")),
                    "resolved": thread.get("resolved") is True,
                    "body": plain_str(thread.get("body")),
                    "anchor": {
                        **anchors.resolve(positions),
                        "start_position": base64.b64encode(positions["start"]).decode("ascii"),
                        "end_position": base64.b64encode(positions["end"]).decode("ascii"),
                    },
                    "replies": [
                        _reply(reply)
                        for reply in (replies if isinstance(replies, Array) else [])
                        if isinstance(reply, Map)
                    ],
                }
            )
    return sorted(threads, key=lambda thread: (thread["created"], thread["id"]))
