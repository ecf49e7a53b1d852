"""What the session document shows and the record a session leaves: pure, on plain records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pycrdt import Doc, Map

from documents.access import DocumentKind
from documents.live.record import record_markdown, session_record, target_label
from documents.live.state import SessionState
from documents.live.view import session_view, write_view
from documents.live.votes import VoteRules, item_labels, ordered_results
from documents.store.sessions import NoteRecord, SessionRecord, VoteRecord
from documents.workshop_doc import (
    add_component,
    add_idea,
    content_to_data,
    load_document,
    seed_update,
)
from web.i18n import localiser

T0 = 1_796_461_500.0  # 2026-12-05 09:05 UTC, 11:05 in Helsinki
AT = datetime.fromtimestamp(T0, UTC)


def session(**changes: Any) -> SessionRecord:
    state = SessionState.begun((), T0).go_to(1, T0 + 1800).timed("start", 600, T0 + 1800)
    record = SessionRecord(
        id="s" * 20,
        workshop_id="w" * 20,
        title="Yöpartio",
        state=state,
        live=True,
        revision=3,
        notes_version=2,
        version_id=None,
        created_at=AT,
        ended_at=None,
    )
    return replace(record, **changes)


def note(note_id: str, text: str, *, revealed: bool, anonymous: bool = False) -> NoteRecord:
    return NoteRecord(
        id=note_id,
        session_id="s" * 20,
        person_id="p" * 20,
        author="Aino",
        phase=0,
        text=text,
        created_at=AT,
        updated_at=AT,
        revealed_at=AT if revealed else None,
        anonymous=anonymous if revealed else None,
        written=revealed,
    )


RULES = VoteRules.checked(["ideas/a", "ideas/b"], 3, 2)
OPEN = VoteRecord("v" * 20, "s" * 20, RULES, AT, None, None)
CLOSED = VoteRecord(
    "c" * 20, "s" * 20, RULES, AT, AT, ordered_results(RULES, {"ideas/b": 4}, {"ideas/b": "B"})
)


def shown(doc: Doc[Any]) -> dict[str, Any]:
    entries: dict[str, Any] = doc.get("session", type=Map).to_py() or {}
    return entries


def test_the_view_holds_what_everyone_may_see_and_nothing_hidden() -> None:
    view = session_view(
        session(),
        [OPEN, CLOSED],
        [
            note("n1", "Julkinen", revealed=True),
            note("n2", "Nimetön", revealed=True, anonymous=True),
        ],
    )
    assert view["phase"] == 1
    assert view["phase_started_at"] == (T0 + 1800) * 1000
    assert view["timer"] == {
        "running": True,
        "ends_at": (T0 + 2400) * 1000,
        "remaining": 0,
        "duration": 600_000,
    }
    assert view["vote"] == {
        "id": OPEN.id,
        "items": ["ideas/a", "ideas/b"],
        "per_person": 3,
        "max_per_item": 2,
    }
    assert view["results"][0]["results"][0] == {
        "item": "ideas/b",
        "label": "B",
        "count": 4,
        "rank": 1,
    }
    assert view["revealed"] == [
        {"id": "n1", "text": "Julkinen", "author": "Aino"},
        {"id": "n2", "text": "Nimetön", "author": None},
    ]
    hidden = session_view(session(), [], [note("n3", "Salainen", revealed=False)])
    assert hidden["revealed"] == []
    assert "Salainen" not in str(hidden)


def test_writing_the_view_changes_only_what_differs() -> None:
    doc: Doc[Any] = Doc()
    write_view(doc, session_view(session(), [], []))
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    write_view(doc, session_view(session(), [], []))
    assert updates == []
    moved = session(revision=4, state=session().state.focused("matrix"))
    write_view(doc, session_view(moved, [], []))
    assert len(updates) == 1
    assert b"matrix" in updates[0]
    assert b"Ideoi" not in updates[0]
    assert shown(doc)["focus"] == "matrix"


def test_an_older_revision_or_an_ended_session_does_not_replace_what_is_shown() -> None:
    doc: Doc[Any] = Doc()
    write_view(doc, session_view(session(revision=5, title="Uusi"), [], []))
    write_view(doc, session_view(session(revision=4, title="Vanha"), [], []))
    assert shown(doc)["title"] == "Uusi"
    other = session(id="o" * 20, live=False, revision=9, title="Eilen")
    write_view(doc, session_view(other, [], []))
    assert shown(doc)["id"] == "s" * 20
    write_view(doc, session_view(session(live=False, revision=6), [], []))
    assert shown(doc)["live"] is False
    newer = session(id="n" * 20, revision=1, title="Huomenna")
    write_view(doc, session_view(newer, [], []))
    assert (shown(doc)["id"], shown(doc)["title"]) == ("n" * 20, "Huomenna")


def test_items_read_as_their_text() -> None:
    doc = load_document(DocumentKind.CONTENT, seed_update(DocumentKind.CONTENT))
    idea = add_idea(doc, "Yöpartio", "Aino")
    titled = add_component(doc, "Kotikäynti", "kuvaus")
    untitled = add_component(doc, "", "vain kuvaus")
    assert item_labels(content_to_data(doc)) == {
        f"ideas/{idea}": "Yöpartio",
        f"model/components/{titled}": "Kotikäynti",
        f"model/components/{untitled}": "vain kuvaus",
    }


def test_targets_read_in_the_readers_language() -> None:
    finnish, swedish = localiser("fi"), localiser("sv")
    assert target_label("matrix/client.actors", finnish) == (
        "Näkökulmataulukko: Asiakasnäkökulma / Toimijat"
    )
    assert target_label("path/needs", finnish) == "Tarpeet"
    assert target_label("evaluation", finnish) == "Toteutus ja arviointi"
    assert target_label("content", finnish) == "Koko työpaja"
    assert target_label("content", swedish) == "Hela verkstaden"


def test_the_record_in_finnish() -> None:
    ended = session(live=False, ended_at=datetime.fromtimestamp(T0 + 7200, UTC))
    ended = replace(ended, state=ended.state.ended(T0 + 7200))
    record = session_record(
        {"id": "w" * 20, "title": "Kotihoito"},
        ended,
        [OPEN, CLOSED],
        [
            note("n1", "Yöpartio\nkotiin", revealed=True),
            note("n2", "Nimetön", revealed=True, anonymous=True),
        ],
        12,
        {"id": "v" * 20, "label": "Innopaja: Yöpartio, 5.12.2026"},
    )
    assert [len(p["periods"]) for p in record["phases"]] == [1, 1, 0]
    assert record_markdown(record, localiser("fi")) == (
        "# Innopaja: Yöpartio\n\n"
        "- **Työpaja:** Kotihoito\n"
        "- **Alkoi:** 5.12.2026 11.05\n"
        "- **Päättyi:** 5.12.2026 13.05\n"
        "- **Osallistujia:** 12\n"
        "- **Sisällön versio:** Innopaja: Yöpartio, 5.12.2026\n\n"
        "## Vaiheet\n\n"
        "1. **Ideoi** (Tarpeet, Tavoitteet): 11.05\u201311.35\n"
        "2. **Kehitä** (Näkökulmataulukko): 11.35\u201313.05\n"
        "3. **Toteuta** (Toteutus ja arviointi): ei käsitelty\n\n"
        "## Paljastetut muistilaput\n\n"
        "- Yöpartio kotiin (Aino)\n"
        "- Nimetön\n\n"
        "## Pisteäänestykset\n\n"
        "### Äänestys 1\n\n"
        "- **Pisteitä kullakin:** 3\n"
        "- **Enintään samaan kohteeseen:** 2\n\n"
        "| Sija | Kohde | Pisteet |\n"
        "|---|---|---|\n"
        "| 1 | B | 4 |\n"
        "| 2 | ideas/a | 0 |\n"
    )
    english = record_markdown(record, localiser("en"))
    assert "- **Began:** 5 Dec 2026 11:05\n" in english
    assert "3. **Toteuta** (Implementation and evaluation): not worked on\n" in english
