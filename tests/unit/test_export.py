"""The export: its shape, the round trip through import, the Markdown and the JSON Schema."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from pycrdt import Doc

from documents.access import DocumentKind
from documents.comments import add_reply, add_thread, anchor
from documents.export import (
    FORMAT,
    InvalidExport,
    WorkshopExport,
    export_markdown,
    export_workshop,
    import_workshop,
)
from documents.labels import (
    EVALUATION_SECTIONS,
    MODEL_SECTIONS,
    PATH_SECTIONS,
    PERSPECTIVES,
    TOPICS,
)
from documents.workshop_doc import (
    MATRIX_KEYS,
    add_component,
    add_idea,
    components_map,
    load_document,
    root,
    seed_update,
    set_votes,
    text_at,
)
from web.i18n import Lang, localiser

CONTENT, COMMENTS = DocumentKind.CONTENT, DocumentKind.COMMENTS
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "workshop-export.schema.json"

METADATA: dict[str, object] = {
    "id": "not exported",
    "title": "Arjen tuki kotiin",
    "organisation": "Pohjois-Savon hyvinvointialue",
    "description": "Kotikuntoutuksen kehittämisverstas.",
    "visibility": "public",
    "place": "Kuopio",
    "municipality": "Pohjois-Savon hyvinvointialue",
    "funder": None,
    "programme": "Tulevaisuuden sosiaali- ja terveyskeskus",
    "created": datetime(2025, 3, 1, 8, 0, tzinfo=UTC),
    "updated": datetime(2025, 3, 4, 10, 2, tzinfo=UTC),
}
CELL = "Asiakas | omainen\nKotihoito \\ yöpartio 😀"


def write(doc: Doc[Any], field: str, value: str) -> None:
    text_at(doc, field).insert(0, value)


def workshop() -> tuple[Doc[Any], Doc[Any]]:
    """A workshop typed by two people, with every kind of content and comment."""
    seed = seed_update(CONTENT)
    content, other = load_document(CONTENT, seed), load_document(CONTENT, seed)
    write(content, "model/name", "Arjen tuki kotiin")
    write(content, "model/short_description", "Kotikuntoutusta ikääntyneille.")
    write(content, "model/purpose", "Ikääntynyt asuu kotonaan turvallisesti.")
    write(other, "model/core_idea", "Kuntoutus alkaa kotona.\n\nOmainen on mukana.")
    write(content, "matrix/client.actors", CELL)
    write(other, "matrix/political_administrative.finances", "Säästö: 12 000 €")
    write(content, "path/needs", "Päivystyskäynnit vähenevät.")
    write(other, "evaluation/trial", "Kokeilu kolmessa kunnassa.")
    first = add_component(content, "Kotiutuspäivän käynti", "Fysioterapeutti käy kotona.")
    add_component(content, "", "Vain kuvaus\ntoisella rivillä", after=first)
    doomed = add_component(other, "Poistuva", "")
    idea = add_idea(other, "Tabletti videopuheluihin", "aino")
    set_votes(other, idea, "aino", 2)
    set_votes(other, idea, "mikko", 1)
    add_idea(content, "Kimppakyyti", "mikko")
    for source, target in ((content, other), (other, content)):
        target.apply_update(source.get_update(target.get_state()))

    comments = load_document(COMMENTS, seed_update(COMMENTS))
    on_cell = add_thread(
        comments,
        anchor(content, "matrix/client.actors", 10, 17),
        "Mikko",
        "Entä naapurit?",
        "2025-03-04T09:15:00Z",
    )
    add_reply(comments, on_cell, "Aino", "Lisätään ✔", "2025-03-04T10:02:00Z")
    add_reply(comments, on_cell, "Liisa", "Hyvä | huomio", "2025-03-04T10:05:00Z")
    add_thread(
        comments,
        anchor(content, "model/purpose", 0, 11),
        "Liisa",
        "Tarkenna.",
        "2025-03-03T12:00:00Z",
        resolved=True,
    )
    add_thread(
        comments,
        anchor(content, f"model/components/{first}/title", 0, 8),
        "Aino",
        "Myös viikonloppuna?",
        "2025-03-05T08:00:00Z",
    )
    add_thread(
        comments,
        anchor(content, f"model/components/{doomed}/title", 0, 8),
        "Mikko",
        "Tarvitaanko tätä?",
        "2025-03-05T09:00:00Z",
    )
    del components_map(content)[doomed]
    return content, comments


def exported() -> WorkshopExport:
    return export_workshop(METADATA, *workshop())


# --- the export ---------------------------------------------------------------------------------


def test_the_export_holds_everything_under_stable_keys() -> None:
    export = exported()
    assert export["format"] == FORMAT == "verstas.workshop/1"
    assert export["metadata"] == {
        "title": "Arjen tuki kotiin",
        "organisation": "Pohjois-Savon hyvinvointialue",
        "description": "Kotikuntoutuksen kehittämisverstas.",
        "visibility": "public",
        "place": "Kuopio",
        "municipality": "Pohjois-Savon hyvinvointialue",
        "programme": "Tulevaisuuden sosiaali- ja terveyskeskus",
        "created": "2025-03-01T08:00:00+00:00",
        "updated": "2025-03-04T10:02:00+00:00",
    }
    content = export["content"]
    assert list(content["path"]) == list(PATH_SECTIONS)
    assert list(content["evaluation"]) == list(EVALUATION_SECTIONS)
    assert list(content["model"]) == list(MODEL_SECTIONS)
    assert list(content["matrix"]) == list(PERSPECTIVES)
    assert all(list(row) == list(TOPICS) for row in content["matrix"].values())
    assert content["matrix"]["client"]["actors"] == CELL
    assert content["model"]["core_idea"] == "Kuntoutus alkaa kotona.\n\nOmainen on mukana."
    assert [c["title"] for c in content["components"]] == ["Kotiutuspäivän käynti", ""]
    # Added concurrently, both ideas went to the end: the tie is broken by their random ids.
    assert {i["text"]: i["votes"] for i in content["ideas"]} == {
        "Tabletti videopuheluihin": {"aino": 2, "mikko": 1},
        "Kimppakyyti": {},
    }


def test_comments_are_exported_oldest_first_with_offsets_and_quotes() -> None:
    threads = exported()["comments"]
    assert [t["created"] for t in threads] == sorted(t["created"] for t in threads)
    purpose, cell, component, orphan = threads
    assert purpose["resolved"] is True
    assert purpose["anchor"] == {
        "field": "model/purpose",
        "start": 0,
        "end": 11,
        "quote": "Ikääntynyt ",
    }
    assert cell["anchor"]["quote"] == CELL[10:17]
    assert [r["body"] for r in cell["replies"]] == ["Lisätään ✔", "Hyvä | huomio"]
    assert component["anchor"]["quote"] == "Kotiutus"
    assert orphan["anchor"]["start"] is None
    assert orphan["anchor"]["quote"] == ""


def test_metadata_is_checked() -> None:
    content, comments = workshop()
    with pytest.raises(InvalidExport, match="title"):
        export_workshop({"title": ""}, content, comments)
    with pytest.raises(InvalidExport, match="visibility"):
        export_workshop({"title": "x", "visibility": "secret"}, content, comments)
    with pytest.raises(InvalidExport, match="funder"):
        export_workshop({"title": "x", "funder": 3}, content, comments)


# --- the round trip -----------------------------------------------------------------------------


def test_export_import_export_is_the_same_export() -> None:
    export = exported()
    through_json = json.loads(json.dumps(export, ensure_ascii=False))
    assert export_workshop(*import_workshop(through_json)) == export


def test_imported_states_are_ordinary_first_updates() -> None:
    export = exported()
    _, content_state, comments_state = import_workshop(export)
    mine = load_document(CONTENT, content_state)
    theirs = load_document(CONTENT, content_state)
    assert sorted(root(mine, "matrix").keys()) == sorted(MATRIX_KEYS)
    write(mine, "matrix/client.actors", "Uusi alku. ")
    text_at(theirs, "matrix/client.actors").insert(len(CELL.encode()), " Loppu.")
    for source, target in ((mine, theirs), (theirs, mine)):
        target.apply_update(source.get_update(target.get_state()))
    again = export_workshop(export["metadata"], mine, comments_state)
    assert again == export_workshop(export["metadata"], theirs, comments_state)
    assert again["content"]["matrix"]["client"]["actors"] == f"Uusi alku. {CELL} Loppu."
    cell_thread = next(t for t in again["comments"] if t["anchor"]["field"].startswith("matrix"))
    assert cell_thread["anchor"]["quote"] == CELL[10:17]
    assert cell_thread["anchor"]["start"] == len("Uusi alku. ") + 10


def _mutated(change: str) -> dict[str, Any]:
    export: dict[str, Any] = copy.deepcopy(dict(exported()))
    thread = export["comments"][1]
    if change == "format":
        export["format"] = "verstas.workshop/2"
    elif change == "metadata":
        export["metadata"] = []
    elif change == "title":
        del export["metadata"]["title"]
    elif change == "cell":
        export["content"]["matrix"]["client"]["actors"] = 5
    elif change == "duplicate component":
        export["content"]["components"].append(export["content"]["components"][0])
    elif change == "component id":
        del export["content"]["components"][0]["id"]
    elif change == "votes":
        export["content"]["ideas"][0]["votes"] = {"aino": -1}
    elif change == "offset":
        thread["anchor"]["end"] = 10_000
    elif change == "half anchor":
        thread["anchor"]["start"] = None
    elif change == "boolean offset":
        thread["anchor"]["start"] = True
    elif change == "field":
        thread["anchor"]["field"] = "matrix/nowhere"
    elif change == "resolved":
        thread["resolved"] = "yes"
    elif change == "replies":
        thread["replies"] = {}
    elif change == "duplicate thread":
        export["comments"].append(thread)
    return export


@pytest.mark.parametrize(
    "change",
    [
        "format",
        "metadata",
        "title",
        "cell",
        "duplicate component",
        "component id",
        "votes",
        "offset",
        "half anchor",
        "boolean offset",
        "field",
        "resolved",
        "replies",
        "duplicate thread",
    ],
)
def test_import_refuses_what_it_cannot_rebuild(change: str) -> None:
    with pytest.raises(InvalidExport):
        import_workshop(_mutated(change))


def test_a_hand_written_export_may_leave_sections_out() -> None:
    metadata, content, comments = import_workshop(
        {"format": FORMAT, "metadata": {"title": "Luonnos"}, "content": {}}
    )
    export = export_workshop(metadata, content, comments)
    assert export["content"]["path"]["needs"] == ""
    assert export["comments"] == []


@settings(max_examples=50, deadline=None)
@given(
    cells=st.dictionaries(st.sampled_from(MATRIX_KEYS), st.text(max_size=40), max_size=6),
    data=st.data(),
)
def test_any_texts_in_cells_survive_the_round_trip(
    cells: dict[str, str], data: st.DataObject
) -> None:
    content = load_document(CONTENT, seed_update(CONTENT))
    comments = load_document(COMMENTS, seed_update(COMMENTS))
    for key, value in cells.items():
        write(content, f"matrix/{key}", value)
    if cells:
        key = data.draw(st.sampled_from(sorted(cells)))
        start = data.draw(st.integers(0, len(cells[key])))
        end = data.draw(st.integers(start, len(cells[key])))
        positions = anchor(content, f"matrix/{key}", start, end)
        add_thread(comments, positions, "a", data.draw(st.text(max_size=20)), "2025-01-01")
    export = export_workshop({"title": "t"}, content, comments)
    for key, value in cells.items():
        perspective, topic = key.split(".")
        assert export["content"]["matrix"][perspective][topic] == value
    assert export_workshop(*import_workshop(json.loads(json.dumps(export)))) == export


# --- Markdown -----------------------------------------------------------------------------------


FINNISH = localiser("fi")


def test_markdown_reads_as_an_operating_model_description() -> None:
    markdown = export_markdown(exported(), FINNISH)
    assert markdown.startswith("# Arjen tuki kotiin\n\nKotikuntoutusta ikääntyneille.\n")
    order = [
        "## Toimintamalli",
        "### Käyttötarkoitus",
        "### Ratkaisun perusidea",
        "### Keskeiset osatekijät / toteutuksen vaiheet",
        "## Näkökulmataulukko",
        "## Kehittämisen polku",
        "### Tarpeet",
        "## Toteutus ja arviointi",
        "### Kokeilu",
    ]
    positions = [markdown.index(heading + "\n") for heading in order]
    assert positions == sorted(positions)
    assert "- **Toteutuspaikka:** Kuopio" in markdown
    assert "- **Luotu:** 1.3.2025\n- **Viimeksi muokattu:** 4.3.2025\n" in markdown
    assert "1. **Kotiutuspäivän käynti**\n\n   Fysioterapeutti käy kotona." in markdown
    assert "2. Vain kuvaus\n\n   toisella rivillä" in markdown
    assert "Rahoittaja" not in markdown  # not given
    assert "### Tavoitteet" not in markdown  # empty
    assert "Tabletti" not in markdown  # ideas are working material
    assert "Entä naapurit" not in markdown  # and so are comments


def test_markdown_table_cells_are_escaped() -> None:
    markdown = export_markdown(exported(), FINNISH)
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(TOPICS)
    assert table[0].startswith("| Aihe | Asiakasnäkökulma |")
    for line in table:
        assert len(re.findall(r"(?<!\\)\|", line)) == len(PERSPECTIVES) + 2
    assert "| Asiakas \\| omainen<br>Kotihoito \\\\ yöpartio 😀 |" in table[2]


@pytest.mark.parametrize(
    ("lang", "present", "absent"),
    [
        (
            "fi",
            ["## Toimintamalli\n", "| Aihe | Asiakasnäkökulma |", "**Luotu:** 1.3.2025"],
            "Operat",
        ),
        (
            "sv",
            ["## Verksamhetsmodell\n", "| Ämne | Klientperspektiv |", "**Skapad:** 1.3.2025"],
            "Toimintamalli",
        ),
        (
            "en",
            ["## Operating model\n", "| Topic | Client perspective |", "**Created:** 1 Mar 2025"],
            "Toimintamalli",
        ),
    ],
)
def test_markdown_in_one_language(lang: Lang, present: list[str], absent: str) -> None:
    markdown = export_markdown(exported(), localiser(lang))
    assert all(text in markdown for text in present), markdown
    assert absent not in markdown


def test_an_empty_workshop_is_just_its_title() -> None:
    content = load_document(CONTENT, seed_update(CONTENT))
    comments = load_document(COMMENTS, seed_update(COMMENTS))
    export = export_workshop({"title": "Tyhjä\nverstas"}, content, comments)
    assert export_markdown(export, FINNISH) == "# Tyhjä verstas\n"


# --- the schema ---------------------------------------------------------------------------------


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def test_the_schema_names_the_same_keys_as_the_code() -> None:
    definitions = schema()["$defs"]
    assert schema()["$id"] == "https://verstas.fi/schemas/workshop-export/1.json"
    assert schema()["properties"]["format"]["const"] == FORMAT
    assert definitions["path"]["required"] == list(PATH_SECTIONS)
    assert definitions["evaluation"]["required"] == list(EVALUATION_SECTIONS)
    assert definitions["model"]["required"] == list(MODEL_SECTIONS)
    assert definitions["matrix"]["required"] == list(PERSPECTIVES)
    assert definitions["topics"]["required"] == list(TOPICS)
    assert set(definitions["metadata"]["properties"]) == set(exported()["metadata"]) | {"funder"}


def test_the_schema_example_and_a_real_export_validate() -> None:
    Draft202012Validator.check_schema(schema())
    validator = Draft202012Validator(schema())
    for example in schema()["examples"]:
        validator.validate(example)
    validator.validate(json.loads(json.dumps(exported())))
    broken: dict[str, Any] = json.loads(json.dumps(exported()))
    broken["content"]["matrix"]["client"]["unknown"] = "x"
    assert not validator.is_valid(broken)


def test_the_schema_example_round_trips() -> None:
    (example,) = schema()["examples"]
    assert export_workshop(*import_workshop(example)) == example
