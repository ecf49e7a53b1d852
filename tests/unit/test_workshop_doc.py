"""The workshop documents: the seeded structure, convergence, ordered lists and anchors."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text, get_state

from documents.access import DocumentKind
from documents.comments import (
    add_reply,
    add_thread,
    anchor,
    comments_to_data,
    resolve_anchor,
)
from documents.labels import EVALUATION_SECTIONS, MODEL_SECTIONS, PATH_SECTIONS
from documents.workshop_doc import (
    MATRIX_KEYS,
    ROOTS,
    add_component,
    add_idea,
    components_map,
    content_to_data,
    load_document,
    root,
    seed_update,
    set_votes,
    text_at,
)

CONTENT, COMMENTS, SESSION = DocumentKind.CONTENT, DocumentKind.COMMENTS, DocumentKind.SESSION


def replicas(count: int = 2) -> list[Doc[Any]]:
    """Content replicas that all start from the one seed the server stored."""
    seed = seed_update(CONTENT)
    return [load_document(CONTENT, seed) for _ in range(count)]


def sync(*docs: Doc[Any]) -> None:
    """Exchange what each replica is missing, as the server's relay would."""
    for source in docs:
        for target in docs:
            if source is not target:
                target.apply_update(source.get_update(target.get_state()))


def insert(text: Text, index: int, value: str) -> None:
    """Insert at a character index: `Text.insert` counts UTF-8 bytes."""
    text.insert(len(str(text)[:index].encode()), value)


def component_ids(doc: Doc[Any]) -> list[str]:
    return [component["id"] for component in content_to_data(doc)["components"]]


# --- the seed ----------------------------------------------------------------------------------


def test_content_seed_creates_exactly_the_structure() -> None:
    doc = load_document(CONTENT, seed_update(CONTENT))
    matrix = root(doc, "matrix")
    assert len(MATRIX_KEYS) == 24
    assert sorted(matrix.keys()) == sorted(MATRIX_KEYS)
    assert sorted(root(doc, "path").keys()) == sorted(PATH_SECTIONS)
    assert sorted(root(doc, "evaluation").keys()) == sorted(EVALUATION_SECTIONS)
    assert sorted(root(doc, "model").keys()) == sorted([*MODEL_SECTIONS, "components"])
    for name in ("path", "matrix", "evaluation"):
        assert all(
            isinstance(value, Text) and str(value) == "" for value in root(doc, name).values()
        )
    components = root(doc, "model")["components"]
    assert isinstance(components, Map)
    assert len(components) == 0
    assert len(root(doc, "ideas")) == 0
    assert sorted(doc.keys()) == sorted(ROOTS[CONTENT])


@pytest.mark.parametrize("kind", [COMMENTS, SESSION])
def test_comments_and_session_seeds_are_empty_updates(kind: DocumentKind) -> None:
    doc = load_document(kind, seed_update(kind))
    assert all(len(root(doc, name)) == 0 for name in ROOTS[kind])


def test_every_seed_has_a_fresh_client_id_and_the_same_content() -> None:
    first, second = seed_update(CONTENT), seed_update(CONTENT)
    assert get_state(first) != get_state(second)
    assert content_to_data(load_document(CONTENT, first)) == content_to_data(
        load_document(CONTENT, second)
    )


def test_a_replica_never_shares_the_seeds_client_id() -> None:
    seed = seed_update(CONTENT)
    doc = load_document(CONTENT, seed)
    text_at(doc, "path/needs").insert(0, "x")
    assert len(Doc().get_state()) < len(doc.get_state())  # a state vector entry per client
    assert doc.client_id not in {load_document(CONTENT, seed).client_id}


# --- reading and convergence ------------------------------------------------------------------


def test_replicas_that_edit_concurrently_converge() -> None:
    a, b = replicas()
    insert(text_at(a, "matrix/client.actors"), 0, "Asiakas ja omaiset")
    insert(text_at(b, "matrix/client.actors"), 0, "Kotihoito ")
    insert(text_at(b, "model/purpose"), 0, "Kotona asumisen tuki")
    add_component(a, "Kotiutus", "Käynti kotiutuspäivänä")
    add_idea(b, "Videopuhelut", "aino")
    sync(a, b)
    data = content_to_data(a)
    assert data == content_to_data(b)
    cell = data["matrix"]["client"]["actors"]
    assert "Asiakas ja omaiset" in cell
    assert "Kotihoito " in cell
    assert data["model"]["purpose"] == "Kotona asumisen tuki"
    assert [c["title"] for c in data["components"]] == ["Kotiutus"]
    assert [i["text"] for i in data["ideas"]] == ["Videopuhelut"]


def test_text_at_follows_field_paths() -> None:
    (doc,) = replicas(1)
    component = add_component(doc, "Otsikko", "Kuvaus")
    idea = add_idea(doc, "Idea", "aino")
    assert str(text_at(doc, f"model/components/{component}/title")) == "Otsikko"
    assert str(text_at(doc, f"ideas/{idea}/text")) == "Idea"
    text_at(doc, "evaluation/trial").insert(0, "Kokeilu")
    assert content_to_data(doc)["evaluation"]["trial"] == "Kokeilu"


@pytest.mark.parametrize(
    "field",
    ["matrix", "matrix/", "matrix/client", "nope/x", "model/components", "ideas/x/text", "path"],
)
def test_text_at_refuses_paths_that_lead_to_no_text(field: str) -> None:
    (doc,) = replicas(1)
    with pytest.raises(KeyError):
        text_at(doc, field)


def test_readers_tolerate_whatever_a_client_wrote() -> None:
    (doc,) = replicas(1)
    root(doc, "matrix")["client.actors"] = "plain string"
    root(doc, "matrix")["client.tasks"] = 42
    del root(doc, "path")["needs"]
    root(doc, "ideas")["junk"] = "not a map"
    root(doc, "ideas")["odd"] = Map(
        {"order": "first", "text": 7, "votes": Map({"u": -1, "v": True})}
    )
    root(doc, "ideas")["nan"] = Map({"order": float("nan"), "author": Text("aino")})
    data = content_to_data(doc)
    assert data["matrix"]["client"]["actors"] == "plain string"
    assert data["matrix"]["client"]["tasks"] == ""
    assert data["path"]["needs"] == ""
    assert data["ideas"] == [
        {"id": "nan", "text": "", "author": "aino", "votes": {}},
        {"id": "odd", "text": "", "author": "", "votes": {}},
    ]
    root(doc, "model")["components"] = "gone"
    assert content_to_data(doc)["components"] == []
    with pytest.raises(KeyError):
        add_component(doc, "x", "y")


# --- ordered lists -----------------------------------------------------------------------------


def move(doc: Doc[Any], item: str, order: float) -> None:
    """What a client's move writes (the page's web/client/order.js): the item's order only."""
    components_map(doc)[item]["order"] = order


def test_components_are_added_after_a_neighbour_and_read_in_order() -> None:
    (doc,) = replicas(1)
    first = add_component(doc, "1", "")
    third = add_component(doc, "3", "")
    second = add_component(doc, "2", "", after=first)
    assert component_ids(doc) == [first, second, third]
    move(doc, third, -1.0)
    assert component_ids(doc) == [third, first, second]


def test_equal_orders_are_read_by_id_on_every_replica() -> None:
    a, b = replicas()
    ids = [add_component(a, str(n), "", component_id=f"c{n}") for n in range(3)]
    sync(a, b)
    move(a, ids[2], 0.0)
    move(b, ids[1], 0.0)
    sync(a, b)
    assert component_ids(a) == component_ids(b) == ["c0", "c1", "c2"]


def test_bad_additions_are_refused() -> None:
    (doc,) = replicas(1)
    a = add_component(doc, "a", "")
    with pytest.raises(ValueError, match="exists"):
        add_component(doc, "dup", "", component_id=a)
    with pytest.raises(KeyError):
        add_component(doc, "x", "", after="missing")


def test_exhausted_fractions_are_renumbered() -> None:
    """Each insert halves the gap above the first item's order, 1.0: floats run out after ~50
    of them (above 0.0 they would last a thousand, down to the denormals)."""
    (doc,) = replicas(1)
    start = add_component(doc, "start", "")
    first = add_component(doc, "first", "")
    last = add_component(doc, "last", "")
    assert components_map(doc)[last]["order"] == 2.0
    added = [add_component(doc, str(n), "", after=first) for n in range(120)]
    assert component_ids(doc) == [start, first, *reversed(added), last]
    orders = [components_map(doc)[key]["order"] for key in component_ids(doc)]
    assert orders == sorted(set(orders))
    assert components_map(doc)[last]["order"] > 2.0  # renumbered by rank


def test_concurrent_moves_never_duplicate_and_keep_a_concurrent_title_edit() -> None:
    a, b = replicas()
    ids = [add_component(a, f"Vaihe {n}", f"Kuvaus {n}") for n in range(4)]
    sync(a, b)
    move(a, ids[0], 3.5)
    move(b, ids[0], 1.5)
    insert(text_at(b, f"model/components/{ids[0]}/title"), 0, "Tärkein: ")
    insert(text_at(a, f"model/components/{ids[0]}/description"), 8, " päivitetty")
    move(b, ids[3], -1.0)
    sync(a, b)
    data = content_to_data(a)
    assert data == content_to_data(b)
    assert sorted(c["id"] for c in data["components"]) == sorted(ids)
    moved = next(c for c in data["components"] if c["id"] == ids[0])
    assert moved == {
        "id": ids[0],
        "title": "Tärkein: Vaihe 0",
        "description": "Kuvaus 0 päivitetty",
    }


@settings(max_examples=40, deadline=None)
@given(
    moves=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 4), st.integers(-2, 6), st.booleans()),
        max_size=12,
    )
)
def test_any_concurrent_moves_converge_without_losing_items_or_edits(
    moves: list[tuple[int, int, int, bool]],
) -> None:
    docs = replicas(3)
    ids = [add_component(docs[0], f"c{n}", "") for n in range(5)]
    sync(*docs)
    for replica, item, order, edit in moves:
        doc = docs[replica]
        move(doc, ids[item], order / 2)
        if edit:
            text_at(doc, f"model/components/{ids[item]}/title").insert(0, f"r{replica}")
    sync(*docs)
    data = [content_to_data(doc)["components"] for doc in docs]
    assert data[0] == data[1] == data[2]
    assert sorted(c["id"] for c in data[0]) == sorted(ids)
    for replica, item, _, edit in moves:
        if edit:
            title = next(c["title"] for c in data[0] if c["id"] == ids[item])
            assert f"r{replica}" in title


def test_ideas_keep_every_users_votes() -> None:
    a, b = replicas()
    first = add_idea(a, "Tabletti", "aino")
    second = add_idea(a, "Kimppakyyti", "mikko")
    sync(a, b)
    set_votes(a, first, "aino", 3)
    set_votes(b, first, "mikko", 2)
    set_votes(b, second, "mikko", 1)
    root(b, "ideas")[second]["order"] = -1.0  # the facilitator's move, as the page writes it
    sync(a, b)
    data = content_to_data(a)["ideas"]
    assert data == content_to_data(b)["ideas"]
    assert [(i["id"], i["votes"]) for i in data] == [
        (second, {"mikko": 1}),
        (first, {"aino": 3, "mikko": 2}),
    ]
    set_votes(a, first, "aino", 0)
    assert content_to_data(a)["ideas"][1]["votes"] == {"mikko": 2}
    with pytest.raises(ValueError, match="negative"):
        set_votes(a, first, "aino", -1)
    with pytest.raises(KeyError):
        set_votes(a, "missing", "aino", 1)


# --- anchors -----------------------------------------------------------------------------------

SENTENCE = "Äiti ja 😀 lapsi tarvitsevat apua kotona."
WORDS = "tarvitsevat apua"


def anchored(doc: Doc[Any]) -> tuple[Text, int, int]:
    text = text_at(doc, "matrix/client.actors")
    insert(text, 0, SENTENCE)
    start = SENTENCE.index(WORDS)
    return text, start, start + len(WORDS)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("text start", WORDS),
        ("before", WORDS),
        ("at start", WORDS),
        ("inside", "tarvitsevat ✨ apua"),
        ("at end", WORDS),
        ("after", WORDS),
        ("text end", WORDS),
    ],
)
def test_anchors_survive_concurrent_inserts(where: str, expected: str) -> None:
    a, b = replicas()
    _, start, end = anchored(a)
    sync(a, b)
    positions = anchor(a, "matrix/client.actors", start, end)
    offsets = {
        "text start": 0,
        "before": start - 2,
        "at start": start,
        "inside": start + len("tarvitsevat "),
        "at end": end,
        "after": end + 2,
        "text end": len(SENTENCE),
    }
    insert(text_at(b, "matrix/client.actors"), offsets[where], "✨ ")
    insert(text_at(a, "matrix/client.actors"), 0, "Ö ")
    sync(a, b)
    for doc in (a, b):
        resolved = resolve_anchor(doc, positions)
        assert resolved["quote"] == expected
        value = str(text_at(doc, "matrix/client.actors"))
        assert value[resolved["start"] or 0 : resolved["end"]] == expected


CELL = "matrix/client.actors"
PIECES = st.text(st.sampled_from("aä ö😀€x"), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_anchors_quote_the_same_words_after_any_multi_client_history(data: st.DataObject) -> None:
    """Texts typed by several clients, with characters of every UTF-8 and UTF-16 width: the
    case where pycrdt's own offsets disagree with each other."""
    a, b = replicas()
    for _ in range(data.draw(st.integers(1, 6))):
        text = text_at(data.draw(st.sampled_from([a, b])), CELL)
        insert(text, data.draw(st.integers(0, len(str(text)))), data.draw(PIECES))
        if data.draw(st.booleans()):
            sync(a, b)
    sync(a, b)
    value = str(text_at(a, CELL))
    start = data.draw(st.integers(0, len(value)))
    end = data.draw(st.integers(start, len(value)))
    positions = anchor(a, CELL, start, end)
    assert resolve_anchor(b, positions) == {
        "field": CELL,
        "start": start,
        "end": end,
        "quote": value[start:end],
    }
    at, typed = data.draw(st.integers(0, len(value))), data.draw(PIECES)
    insert(text_at(b, CELL), at, typed)
    sync(a, b)
    inside = start < at < end
    expected = value[start:at] + typed + value[at:end] if inside else value[start:end]
    assert resolve_anchor(a, positions)["quote"] == expected


def test_deleting_the_anchored_words_leaves_no_anchor() -> None:
    """As the export schema says: null offsets once the anchored text no longer exists, on the
    replica that deleted it and on one that loaded the state afterwards (deleted characters
    garbage-collected)."""
    (doc,) = replicas(1)
    text, start, end = anchored(doc)
    positions = anchor(doc, "matrix/client.actors", start, end)
    byte_start = len(SENTENCE[:start].encode())
    del text[byte_start : byte_start + len(WORDS.encode())]
    gone = {"field": "matrix/client.actors", "start": None, "end": None, "quote": ""}
    assert resolve_anchor(doc, positions) == gone
    loaded = load_document(DocumentKind.CONTENT, doc.get_update())
    assert resolve_anchor(loaded, positions) == gone


def test_deleting_some_of_the_anchored_words_keeps_the_rest() -> None:
    (doc,) = replicas(1)
    text, start, end = anchored(doc)
    positions = anchor(doc, "matrix/client.actors", start, end)
    first_word = WORDS.split(" ")[0] + " "
    byte_start = len(SENTENCE[:start].encode())
    del text[byte_start : byte_start + len(first_word.encode())]
    resolved = resolve_anchor(doc, positions)
    assert resolved["quote"] == WORDS.removeprefix(first_word)
    assert resolved["start"] == start


@pytest.mark.parametrize(("start", "end"), [(0, 0), (0, 5), (5, 5), (len(SENTENCE),) * 2])
def test_anchors_at_the_edges_of_a_text(start: int, end: int) -> None:
    (doc,) = replicas(1)
    anchored(doc)
    resolved = resolve_anchor(doc, anchor(doc, "matrix/client.actors", start, end))
    assert (resolved["start"], resolved["end"]) == (start, end)
    assert resolved["quote"] == SENTENCE[start:end]


def test_an_anchor_in_an_empty_text() -> None:
    (doc,) = replicas(1)
    positions = anchor(doc, "model/purpose", 0, 0)
    text_at(doc, "model/purpose").insert(0, "Uusi")
    assert resolve_anchor(doc, positions)["quote"] == ""


def test_bad_anchor_requests_are_refused() -> None:
    (doc,) = replicas(1)
    anchored(doc)
    with pytest.raises(ValueError, match="outside"):
        anchor(doc, "matrix/client.actors", 5, 4)
    with pytest.raises(ValueError, match="outside"):
        anchor(doc, "matrix/client.actors", 0, len(SENTENCE) + 1)
    with pytest.raises(KeyError):
        anchor(doc, "matrix/nowhere", 0, 0)


def test_unreadable_or_orphaned_anchors_resolve_to_nothing() -> None:
    (doc,) = replicas(1)
    anchored(doc)
    component = add_component(doc, "Poistuva", "")
    on_component = anchor(doc, f"model/components/{component}/title", 0, 4)
    del components_map(doc)[component]
    assert resolve_anchor(doc, on_component) == {
        "field": on_component["field"],
        "start": None,
        "end": None,
        "quote": "",
    }
    for junk in (b"", b"\x00", b"\x01\x02\x03\x04\x05"):
        garbage = {"field": "matrix/client.actors", "start": junk, "end": junk}
        assert resolve_anchor(doc, garbage)["start"] is None  # type: ignore[arg-type]


def test_comment_threads_read_with_their_anchors_and_replies() -> None:
    (content,) = replicas(1)
    _, start, end = anchored(content)
    seed = seed_update(COMMENTS)
    mine, theirs = load_document(COMMENTS, seed), load_document(COMMENTS, seed)
    positions = anchor(content, "matrix/client.actors", start, end)
    later = add_thread(mine, positions, "Mikko", "Ketkä?", "2025-03-05T10:00:00Z")
    earlier = add_thread(
        mine, positions, "Aino", "Lähde?", "2025-03-04T10:00:00Z", resolved=True, thread_id="t1"
    )
    sync(mine, theirs)
    add_reply(mine, later, "Aino", "Omaiset", "2025-03-05T11:00:00Z")
    add_reply(theirs, later, "Liisa", "Naapurit", "2025-03-05T11:00:01Z")
    sync(mine, theirs)
    threads = comments_to_data(mine, content)
    assert threads == comments_to_data(theirs, content)
    assert [t["id"] for t in threads] == [earlier, later]
    assert earlier == "t1"
    assert threads[0]["resolved"] is True
    assert threads[1]["resolved"] is False
    assert sorted(r["body"] for r in threads[1]["replies"]) == ["Naapurit", "Omaiset"]
    live = threads[1]["anchor"]
    assert (live["start"], live["end"], live["quote"]) == (start, end, WORDS)
    assert base64.b64decode(live["start_position"]) == positions["start"]
    assert base64.b64decode(live["end_position"]) == positions["end"]
    with pytest.raises(KeyError):
        add_reply(mine, "missing", "x", "y", "z")


def test_a_client_written_thread_of_the_wrong_shape_is_read_leniently() -> None:
    (content,) = replicas(1)
    comments = load_document(COMMENTS, seed_update(COMMENTS))
    threads = root(comments, "threads")
    threads["bad"] = "not a thread"
    threads["odd"] = Map({"anchor": "nope", "replies": Array(["x", Map({"body": "ok"})])})
    assert comments_to_data(comments, content) == [
        {
            "id": "odd",
            "author": "",
            "created": "",
            "resolved": False,
            "body": "",
            "anchor": {
                "field": "",
                "start": None,
                "end": None,
                "quote": "",
                "start_position": "",
                "end_position": "",
            },
            "replies": [{"author": "", "created": "", "body": "ok"}],
        }
    ]
