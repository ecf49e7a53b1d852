"""The JSON Schemas in `schemas/`, loaded once, and validation at the API boundary.

Every schema has a versioned `$id`; schemas refer to each other by it, and the OpenAPI
description points at the same ids, so one file is the single definition of each shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

import schemas as schema_files

SCHEMA_DIR = Path(schema_files.__file__).parent
BASE_ID = "https://verstas.fi/schemas/"


def schema_id(name: str, version: int = 1) -> str:
    return f"{BASE_ID}{name}/{version}.json"


@cache
def all_schemas() -> dict[str, dict[str, Any]]:
    """Every schema file, by its `$id`."""
    schemas: dict[str, dict[str, Any]] = {}
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        schemas[schema["$id"]] = schema
    return schemas


@cache
def _registry() -> Registry[Any]:
    resources = [(sid, Resource.from_contents(schema)) for sid, schema in all_schemas().items()]
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    schema = all_schemas()[schema_id(name)]
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def problems(name: str, instance: Any) -> list[str]:
    """Every way `instance` fails the schema, as readable lines (empty when it is valid)."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(body)'}: {error.message}"
        for error in errors
    ]


MAX_DEPTH = 32
"""Arrays and objects in a request body may nest this deep (the deepest schema nests 6)."""


def nested_deeper_than(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects in `value` nest more than `limit` levels deep. Iterative:
    validating or even printing a value nested thousands deep would exhaust Python's stack."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


# Refused in every text field of every request, the same on every database: NUL (PostgreSQL's
# text cannot hold it), a lone surrogate (no encoding can store it) and the bidirectional
# embeddings, overrides and isolates, which reorder the text after them so that a title reads
# as something it is not. The marks U+200E, U+200F and U+061C stay allowed: they only set the
# direction of the neutral characters beside them, and right-to-left text copied from an editor
# carries them.
_REFUSED = re.compile("[\x00\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
# What the documents' own text refuses: it is typed over the socket like any other text, where
# no rule but encodability applies, and an export of it must import again.
_UNSTORABLE = re.compile("[\ud800-\udfff]")
# Under these top-level keys of a request body is the documents' text.
_DOCUMENT_TEXT: dict[str, frozenset[str]] = {"workshop-export": frozenset({"content", "comments"})}


def _named(character: str) -> str:
    if character == "\x00":
        return "NUL"
    if "\ud800" <= character <= "\udfff":
        return f"a lone surrogate (U+{ord(character):04X})"
    return f"the bidirectional control U+{ord(character):04X}"


def refused_characters(where: str, text: str, rule: re.Pattern[str] = _REFUSED) -> list[str]:
    """Readable lines for the characters in `text` that no text field takes."""
    found = rule.search(text)
    return [] if found is None else [f"{where}: {_named(found.group())} is not allowed in text"]


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every key and string in `value` with its path, iteratively (see nested_deeper_than)."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, child in item.items():
                inner = f"{where}/{key}" if where else key
                yield inner, key
                stack.append((child, inner))
        elif isinstance(item, list):
            stack.extend((child, f"{where}/{index}") for index, child in enumerate(item))


def request_problems(name: str, instance: Any) -> list[str]:
    """`problems`, and every text in the body that holds a refused character."""
    documents = _DOCUMENT_TEXT.get(name, frozenset())
    found = problems(name, instance)
    for where, text in _strings(instance, ""):
        rule = _UNSTORABLE if where.split("/", 1)[0] in documents else _REFUSED
        found += refused_characters(where or "(body)", text, rule)
    return found
