"""Every schema file is a valid JSON Schema with a versioned $id and a valid example."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from web.api.schemas import all_schemas, nested_deeper_than, problems, request_problems

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


def test_text_is_refused_for_what_breaks_storage_or_reorders_it_and_nothing_else() -> None:
    def refused(title: str) -> list[str]:
        body = {"title": title, "organisation": "Kuopio"}
        return request_problems("workshop-create.request", body)

    assert refused("Yöpartio \u200f(RLM) \u200e(LRM) \u061c(ALM) \u200d") == []
    assert refused("a\x00b") == ["title: NUL is not allowed in text"]
    assert refused("a\ud800") == ["title: a lone surrogate (U+D800) is not allowed in text"]
    for control in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        assert refused(f"Kuopio{control}") == [
            f"title: the bidirectional control U+{ord(control):04X} is not allowed in text"
        ]


def test_the_documents_text_in_an_import_refuses_only_what_cannot_be_stored() -> None:
    export = dict(all_schemas()["https://verstas.fi/schemas/workshop-export/1.json"]["examples"][0])
    export["comments"] = [{**export["comments"][0], "author": "\u202eAino"}]
    export["metadata"] = {**export["metadata"], "funder": "\u202eSTM"}
    assert request_problems("workshop-export", export) == [
        "metadata/funder: the bidirectional control U+202E is not allowed in text"
    ]
    export["comments"] = [{**export["comments"][0], "author": "\udfffAino"}]
    found = request_problems("workshop-export", export)
    assert "comments/0/author: a lone surrogate (U+DFFF) is not allowed in text" in found


def test_nesting_is_measured_without_recursion() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    assert nested_deeper_than(deep)
    assert not nested_deeper_than({"a": [{"b": [1, "x"]}]}, limit=4)
    assert nested_deeper_than({"a": [{"b": [[]]}]}, limit=4)
