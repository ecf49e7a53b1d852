"""Every schema file is a valid JSON Schema with a versioned $id and a valid example."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from web.schemas import all_schemas, problems

SCHEMAS = sorted(all_schemas().items())


@pytest.mark.parametrize(("schema_id", "schema"), SCHEMAS, ids=[s for s, _ in SCHEMAS])
def test_schema_is_valid_and_its_examples_validate(schema_id: str, schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(schema)
    assert re.fullmatch(r"https://verstas\.fi/schemas/[a-z.-]+/\d+\.json", schema_id)
    assert schema["examples"], f"{schema_id} needs an example"
    name = schema_id.split("/")[-2]
    for example in schema["examples"]:
        assert problems(name, example) == []


def test_a_wrong_body_is_described_precisely() -> None:
    found = problems("workshop-create.request", {"title": "x", "visibility": "secret"})
    assert "(body): 'organisation' is a required property" in found
    assert any(line.startswith("visibility:") for line in found)
