"""A workshop as one JSON document (`schemas/workshop-export.schema.json`), and back.

The export is the workshop's portable form: plain text under the stable keys, lists in their
order, comment anchors as a field path plus character offsets (code points) and the quoted
words. It carries no CRDT identity, so `import_workshop` builds new documents whose
`export_workshop` equals the original export. What an import regenerates by design, and what
therefore is not in the export: client ids and edit history, the items' fractional `order`
values (renumbered 0, 1, 2, ... in list order) and the anchors' encoded positions (re-created
at the same offsets). A quote is derived from the text and offsets, so an import ignores it.

Metadata is whatever the workshop record holds among `METADATA_KEYS`; absent and None values
are left out rather than written as null, so there is one way to say "not given".
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final, Protocol, TypedDict

from pycrdt import Doc

from documents.access import DocumentKind
from documents.comments import (
    Anchor,
    AnchorIndex,
    AnchorPositions,
    Reply,
    add_reply,
    add_thread,
)
from documents.comments import comments_to_data as _comments_to_data
from documents.labels import (
    EVALUATION_SECTIONS,
    METADATA_FIELDS,
    MODEL_SECTIONS,
    PATH_SECTIONS,
    PERSPECTIVES,
    TOPICS,
)
from documents.workshop_doc import (
    Component,
    ContentData,
    add_component,
    add_idea,
    content_to_data,
    load_document,
    matrix_key,
    seed_update,
    set_votes,
    text_at,
)

FORMAT: Final = "verstas.workshop/1"
METADATA_KEYS: Final = (
    "title",
    "organisation",
    "description",
    "visibility",
    "place",
    "municipality",
    "funder",
    "programme",
    "created",
    "updated",
)
VISIBILITIES: Final = ("public", "private")


class ExportThread(TypedDict):
    id: str
    author: str
    created: str
    resolved: bool
    body: str
    anchor: Anchor
    replies: list[Reply]


class WorkshopExport(TypedDict):
    format: str
    metadata: dict[str, str]
    content: ContentData
    comments: list[ExportThread]


class InvalidExport(ValueError):
    """The data is not a workshop export this version can import; nothing was built."""


def _metadata(metadata: Mapping[str, object]) -> dict[str, str]:
    """The exported metadata: known keys only, times as ISO 8601, a title always."""
    result: dict[str, str] = {}
    for key in METADATA_KEYS:
        value = metadata.get(key)
        if isinstance(value, datetime):
            value = value.isoformat()
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidExport(f"metadata.{key} must be a string, not {type(value).__name__}")
        result[key] = value
    if not result.get("title"):
        raise InvalidExport("metadata.title is required")
    if result.get("visibility", "public") not in VISIBILITIES:
        raise InvalidExport(f"metadata.visibility must be one of {VISIBILITIES}")
    return result


def _document(kind: DocumentKind, document: Doc[Any] | bytes) -> Doc[Any]:
    return load_document(kind, document) if isinstance(document, bytes) else document


def export_workshop(
    metadata: Mapping[str, object],
    content: Doc[Any] | bytes,
    comments: Doc[Any] | bytes,
) -> WorkshopExport:
    """The export of a workshop from its record's fields and its documents (live docs or
    stored states). `created`/`updated` may be datetimes; they are written as ISO 8601."""
    content_doc = _document(DocumentKind.CONTENT, content)
    threads = _comments_to_data(_document(DocumentKind.COMMENTS, comments), content_doc)
    return {
        "format": FORMAT,
        "metadata": _metadata(metadata),
        "content": content_to_data(content_doc),
        "comments": [
            {
                "id": thread["id"],
                "author": thread["author"],
                "created": thread["created"],
                "resolved": thread["resolved"],
                "body": thread["body"],
                "anchor": {
                    "field": thread["anchor"]["field"],
                    "start": thread["anchor"]["start"],
                    "end": thread["anchor"]["end"],
                    "quote": thread["anchor"]["quote"],
                },
                "replies": thread["replies"],
            }
            for thread in threads
        ],
    }


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidExport(f"{where} must be an object")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidExport(f"{where} must be a list")
    return value


def _string(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidExport(f"{where} must be a string")
    return value


def _offset(value: object, where: str) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    raise InvalidExport(f"{where} must be a character offset or null")


def _fill_content(doc: Doc[Any], data: Mapping[str, Any]) -> None:
    """Write the export's texts and lists into a seeded content document; absent texts stay
    empty, so a hand-written export may leave sections out."""
    sections = {"path": PATH_SECTIONS, "evaluation": EVALUATION_SECTIONS, "model": MODEL_SECTIONS}
    for part, keys in sections.items():
        values = _mapping(data.get(part, {}), f"content.{part}")
        for key in keys:
            value = _string(values.get(key, ""), f"content.{part}.{key}")
            text_at(doc, f"{part}/{key}").insert(0, value)
    matrix = _mapping(data.get("matrix", {}), "content.matrix")
    for perspective in PERSPECTIVES:
        row = _mapping(matrix.get(perspective, {}), f"content.matrix.{perspective}")
        for topic in TOPICS:
            value = _string(row.get(topic, ""), f"content.matrix.{perspective}.{topic}")
            text_at(doc, f"matrix/{matrix_key(perspective, topic)}").insert(0, value)
    for index, raw in enumerate(_list(data.get("components", []), "content.components")):
        where = f"content.components[{index}]"
        item = _mapping(raw, where)
        add_component(
            doc,
            _string(item.get("title", ""), f"{where}.title"),
            _string(item.get("description", ""), f"{where}.description"),
            component_id=_string(item.get("id"), f"{where}.id"),
        )
    for index, raw in enumerate(_list(data.get("ideas", []), "content.ideas")):
        where = f"content.ideas[{index}]"
        item = _mapping(raw, where)
        idea_id = add_idea(
            doc,
            _string(item.get("text", ""), f"{where}.text"),
            _string(item.get("author", ""), f"{where}.author"),
            idea_id=_string(item.get("id"), f"{where}.id"),
        )
        for user, count in _mapping(item.get("votes", {}), f"{where}.votes").items():
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise InvalidExport(f"{where}.votes.{user} must be a non-negative integer")
            set_votes(doc, idea_id, user, count)


def _positions(anchors: AnchorIndex, raw: object, where: str) -> AnchorPositions:
    """Positions re-created at the exported offsets; an anchor exported without offsets (its
    text was gone) stays without them."""
    data = _mapping(raw, where)
    field = _string(data.get("field"), f"{where}.field")
    start = _offset(data.get("start"), f"{where}.start")
    end = _offset(data.get("end"), f"{where}.end")
    if start is None and end is None:
        return {"field": field, "start": b"", "end": b""}
    if start is None or end is None:
        raise InvalidExport(f"{where}: start and end are both offsets or both null")
    try:
        return anchors.anchor(field, start, end)
    except (KeyError, ValueError) as exc:
        raise InvalidExport(f"{where}: no range {start}..{end} in field {field!r}") from exc


def _fill_comments(comments: Doc[Any], content: Doc[Any], threads: list[Any]) -> None:
    anchors = AnchorIndex(content)
    for index, raw in enumerate(threads):
        where = f"comments[{index}]"
        thread = _mapping(raw, where)
        resolved = thread.get("resolved", False)
        if not isinstance(resolved, bool):
            raise InvalidExport(f"{where}.resolved must be a boolean")
        thread_id = add_thread(
            comments,
            _positions(anchors, thread.get("anchor"), f"{where}.anchor"),
            _string(thread.get("author", ""), f"{where}.author"),
            _string(thread.get("body", ""), f"{where}.body"),
            _string(thread.get("created", ""), f"{where}.created"),
            resolved=resolved,
            thread_id=_string(thread.get("id"), f"{where}.id"),
        )
        for number, reply_raw in enumerate(_list(thread.get("replies", []), f"{where}.replies")):
            at = f"{where}.replies[{number}]"
            reply = _mapping(reply_raw, at)
            add_reply(
                comments,
                thread_id,
                _string(reply.get("author", ""), f"{at}.author"),
                _string(reply.get("body", ""), f"{at}.body"),
                _string(reply.get("created", ""), f"{at}.created"),
            )


def import_workshop(export: Mapping[str, Any]) -> tuple[dict[str, str], bytes, bytes]:
    """The metadata and the full states of new content and comments documents rebuilt from an
    export (parsed JSON, untrusted): each state is the document's first update, the seed's
    structure included, to store in place of `seed_update`. Raises InvalidExport."""
    if export.get("format") != FORMAT:
        raise InvalidExport(f"format must be {FORMAT!r}")
    metadata = _metadata(_mapping(export.get("metadata"), "metadata"))
    content = load_document(DocumentKind.CONTENT, seed_update(DocumentKind.CONTENT))
    comments = load_document(DocumentKind.COMMENTS, seed_update(DocumentKind.COMMENTS))
    try:
        with content.transaction(origin="import"):
            _fill_content(content, _mapping(export.get("content"), "content"))
        with comments.transaction(origin="import"):
            _fill_comments(comments, content, _list(export.get("comments", []), "comments"))
    except InvalidExport:
        raise
    except (KeyError, ValueError) as exc:  # a duplicate or unknown item id
        raise InvalidExport(str(exc)) from exc
    return metadata, content.get_update(), comments.get_update()


class Wording(Protocol):
    """How the reader's language writes a label key's heading and a date (`web.i18n` has one
    per language): the domain holds the keys and their English names, the catalogues their
    translations."""

    def label(self, key: str) -> str: ...

    def date(self, value: date) -> str: ...


def _fact(key: str, value: str, words: Wording) -> str:
    """A metadata value on one line; the creation and modification times as dates."""
    if key in ("created", "updated"):
        with contextlib.suppress(ValueError):
            return words.date(datetime.fromisoformat(value.strip()))
    return " ".join(value.split())


def _cell(value: str) -> str:
    """One table cell: a pipe or a line break would end the cell or the row, and a backslash
    before an escaped pipe would swallow the escape."""
    escaped = value.strip().replace("\\", "\\\\").replace("|", "\\|")
    return "<br>".join(escaped.splitlines())


def _subsections(texts: Mapping[str, str], keys: tuple[str, ...], words: Wording) -> list[str]:
    return [f"### {words.label(key)}\n\n{texts[key].strip()}" for key in keys if texts[key].strip()]


def _part(key: str, blocks: list[str], words: Wording) -> str:
    return f"## {words.label(key)}\n\n" + "\n\n".join(blocks) if blocks else ""


def _components(components: list[Component]) -> str:
    """A numbered list: the title in bold, the description indented under it."""
    items = []
    for component in components:
        title = " ".join(component["title"].split())
        lines = component["description"].strip().splitlines()
        head = f"**{title}**" if title else (lines.pop(0) if lines else "")
        if head:
            body = "\n".join(f"   {line}" if line.strip() else "" for line in lines).rstrip()
            items.append(f"{head}\n\n{body}" if body else head)
    return "\n\n".join(f"{number}. {item}" for number, item in enumerate(items, start=1))


def _matrix(matrix: Mapping[str, Mapping[str, str]], words: Wording) -> str:
    if not any(text.strip() for row in matrix.values() for text in row.values()):
        return ""
    header = [words.label("topic"), *(words.label(p) for p in PERSPECTIVES)]
    rows = [
        [words.label(topic), *(_cell(matrix[p][topic]) for p in PERSPECTIVES)] for topic in TOPICS
    ]
    table = [header, ["---"] * len(header), *rows]
    return _part("matrix", ["\n".join(f"| {' | '.join(row)} |" for row in table)], words)


def export_markdown(export: WorkshopExport, words: Wording) -> str:
    """The workshop as an operating-model description to send as it is, its headings in one
    language: the model first, then the perspective matrix as a table, the development path,
    implementation and evaluation. Empty sections are left out. Ideas and comments are working
    material, not part of it."""
    metadata, content = export["metadata"], export["content"]
    model = content["model"]
    blocks = [f"# {' '.join((model['name'] or metadata['title']).split())}"]
    lead = model["short_description"].strip() or metadata.get("description", "").strip()
    if lead:
        blocks.append(lead)
    facts = [
        f"- **{words.label(key)}:** {_fact(key, metadata[key], words)}"
        for key in (*METADATA_FIELDS, "created", "updated")
        if metadata.get(key, "").strip()
    ]
    if facts:
        blocks.append("\n".join(facts))
    components = _components(content["components"])
    model_blocks = [
        *_subsections(model, ("purpose", "core_idea"), words),
        *([f"### {words.label('components')}\n\n{components}"] if components else []),
        *_subsections(model, ("operating_environment", "conditions"), words),
    ]
    blocks += [
        _part("model", model_blocks, words),
        _matrix(content["matrix"], words),
        _part("path", _subsections(content["path"], PATH_SECTIONS, words), words),
        _part("evaluation", _subsections(content["evaluation"], EVALUATION_SECTIONS, words), words),
    ]
    return "\n\n".join(block for block in blocks if block) + "\n"
