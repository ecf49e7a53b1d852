"""The JSON Schemas in `schemas/`, loaded once, and validation at the API boundary.

Every schema has a versioned `$id`; schemas refer to each other by it, and the OpenAPI
description points at the same ids, so one file is the single definition of each shape.
"""

from __future__ import annotations

import json
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
