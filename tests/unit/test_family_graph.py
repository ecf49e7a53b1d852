"""The kept family graphs: built from the family's rows, encoded once, spliced into answers
exactly as Starlette would encode them, and kept within a byte budget."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from starlette.responses import JSONResponse

from documents.family_graph import FamilyGraph, FamilyGraphs, build
from documents.lineage_service import Lineage
from documents.records import FamilyRow, WorkshopRecord

MOMENT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def record(workshop_id: str, title: str, visibility: str = "public") -> WorkshopRecord:
    return WorkshopRecord(
        workshop_id, title, "Kuopio", "", visibility, None, None, None, None, MOMENT, MOMENT
    )


def row(parent: str, child: str, title: str | None, visibility: str | None) -> FamilyRow:
    return (
        parent,
        child,
        f"{child}: Äänekoski",
        "Sopii meille \u2028 ja \U0001f91d",
        "2026-03-02 08:00:00.250000",
        None,
        7,
        title,
        "Äänekoski" if title is not None else None,
        visibility,
        "Äänekosken terveysasema" if title is not None else None,
    )


ROWS = [
    row("r", "a", "Yöpartio", "public"),
    row("a", "b", "Salainen", "private"),
    row("a", "c", None, None),
]


def test_the_graph_holds_every_member_the_root_first() -> None:
    graph = build("r", 3, record("r", "Malli"), ROWS)

    assert json.loads(graph.nodes) == [
        {"id": "r", "title": "Malli", "organisation": "Kuopio"},
        {
            "id": "a",
            "title": "Yöpartio",
            "organisation": "Äänekoski",
            "place": "Äänekosken terveysasema",
        },
        {"id": "b", "private": True},
        {"id": "c", "deleted": True},
    ]
    assert [(e["parent"], e["child"]) for e in json.loads(graph.edges)] == [
        ("r", "a"),
        ("a", "b"),
        ("a", "c"),
    ]
    assert json.loads(graph.edges)[0]["forked_at"] == "2026-03-02T08:00:00.250000+00:00"
    assert graph.members == (
        ("a", "a: Äänekoski", "2026-03-02T08:00:00.250000+00:00", "public"),
        ("b", "b: Äänekoski", "2026-03-02T08:00:00.250000+00:00", "private"),
        ("c", "c: Äänekoski", "2026-03-02T08:00:00.250000+00:00", "deleted"),
    )


def test_the_edge_into_a_private_or_deleted_member_tells_only_where_it_hangs() -> None:
    edges = json.loads(build("r", 3, record("r", "Malli"), ROWS).edges)

    assert edges[0]["organisation"] == "a: Äänekoski"
    assert edges[0]["reason"] == "Sopii meille \u2028 ja \U0001f91d"
    assert edges[1:] == [
        {"parent": "a", "child": "b", "private": True},
        {"parent": "a", "child": "c", "deleted": True},
    ]


def test_a_deleted_or_private_root_shows_nothing_of_itself() -> None:
    assert json.loads(build("r", 0, None, []).nodes) == [{"id": "r", "deleted": True}]
    private = build("r", 0, record("r", "Malli", "private"), [])
    assert json.loads(private.nodes) == [{"id": "r", "private": True}]


def test_the_spliced_answer_is_what_starlette_would_send() -> None:
    graph = build("r", 3, record("r", "Malli"), ROWS)
    in_use = [{"id": "a", "organisation": "Ä", "last_activity": None, "cells_changed": 2}]

    spliced = Lineage("r", graph, in_use).to_json()

    whole = {
        "root": "r",
        "nodes": json.loads(graph.nodes),
        "edges": json.loads(graph.edges),
        "in_use": in_use,
    }
    assert spliced == JSONResponse(whole).body


def graph(root: str, version: int, size: int) -> FamilyGraph:
    return FamilyGraph(root, version, b"[" + b" " * (size - 2) + b"]", b"", ())


def test_a_kept_graph_answers_only_for_its_own_version() -> None:
    graphs = FamilyGraphs()
    kept = graph("r", 4, 10)
    graphs.keep(kept)

    assert graphs.get("r", 4) is kept
    assert graphs.get("r", 5) is None
    assert graphs.get("s", 4) is None


def test_a_newer_graph_replaces_the_old_one_and_an_older_one_does_not() -> None:
    graphs = FamilyGraphs()
    graphs.keep(graph("r", 4, 10))
    newer = graph("r", 5, 10)

    graphs.keep(newer)
    graphs.keep(graph("r", 4, 10))

    assert graphs.get("r", 5) is newer
    assert graphs.get("r", 4) is None
    assert len(graphs) == 1


def test_the_least_recently_used_graphs_go_first_beyond_the_budget() -> None:
    graphs = FamilyGraphs(budget_bytes=100)
    for root in "abc":
        graphs.keep(graph(root, 1, 30))
    assert graphs.get("a", 1) is not None  # now b is the least recently used

    graphs.keep(graph("d", 1, 30))

    assert [root for root in "abcd" if graphs.get(root, 1) is not None] == ["a", "c", "d"]


def test_a_graph_larger_than_the_whole_budget_is_not_kept() -> None:
    graphs = FamilyGraphs(budget_bytes=100)
    graphs.keep(graph("a", 1, 60))

    graphs.keep(graph("b", 1, 101))
    graphs.keep(graph("a", 2, 101))

    assert len(graphs) == 0
