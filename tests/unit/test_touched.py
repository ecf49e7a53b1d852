"""Which field paths an update touches: updates made by yjs and pycrdt on workshop documents.

The reference is always what the document reads as: the paths whose content changed when the
update was applied (`flatten` before and after), never a list written by hand.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Map, Text

from collab.protocol import ProtocolError
from collab.touched import CONTENT, DocumentIndex, covered
from collab.touched_planner import MAX_DEPTH
from collab.yupdate import decode_update
from documents.access import DocumentKind
from documents.workshop_doc import (
    ROOTS,
    add_component,
    add_idea,
    components_map,
    load_document,
    root,
    seed_update,
    set_votes,
    text_at,
)

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "vectors" / "yjs_updates.json").read_text()
)["vectors"]
# pycrdt 0.14 cannot read an XML hook, and integrates a struct past a gap in its client's clocks
# at once (yjs keeps it pending until the gap fills; the index does as yjs does).
NOT_FOR_PYCRDT = {"xml_hook", "missing_dependency"}


def flatten(doc: Doc[Any]) -> dict[str, str]:
    """Every field path of a content document with what is there (texts with formatting)."""
    found: dict[str, str] = {}

    def walk(path: str, value: object) -> None:
        if isinstance(value, Map):
            found[path] = "map"
            for key, inner in value.items():
                walk(f"{path}/{key}", inner)
        elif isinstance(value, Text):
            found[path] = repr(value.diff())
        elif isinstance(value, Doc):
            found[path] = f"doc:{value.guid}"
        else:
            found[path] = repr(value)

    for name in ROOTS[DocumentKind.CONTENT]:
        walk(name, root(doc, name))
    return found


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


class Server:
    """A document with its index, applying updates as the room will: plan, apply, commit."""

    def __init__(self, *updates: bytes) -> None:
        self.doc = load_document(DocumentKind.CONTENT, *updates)
        self.index = DocumentIndex.from_state(self.doc.get_update())

    def receive(self, update: bytes) -> tuple[frozenset[str] | None, set[str]]:
        """What the index says the update touches, and what changed in the document."""
        before = flatten(self.doc)
        plan = self.index.plan(update)
        self.doc.apply_update(update)
        self.index.commit(plan)
        return plan.touched, changed(before, flatten(self.doc))


@contextmanager
def captured(doc: Doc[Any]) -> Iterator[list[bytes]]:
    """The updates `doc` emits inside the block, one per transaction."""
    updates: list[bytes] = []
    subscription = doc.observe(lambda event: updates.append(event.update))
    try:
        yield updates
    finally:
        doc.unobserve(subscription)


def edit(doc: Doc[Any], change: Callable[[], object]) -> bytes:
    """The one update `change` makes on `doc`."""
    with captured(doc) as updates:
        change()
    assert len(updates) == 1
    return updates[0]


def byte_index(text: Text, index: int) -> int:
    """pycrdt's text positions count UTF-8 bytes."""
    return len(str(text)[:index].encode())


# ---------------------------------------------------------------------- yjs-made updates


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
def test_updates_made_by_yjs(vector: dict[str, Any]) -> None:
    index = DocumentIndex.from_state(bytes.fromhex(vector["base_hex"]))
    for step in vector["steps"]:
        plan = index.plan(bytes.fromhex(step["update_hex"]))
        expected = step["touched"]
        assert plan.touched == (None if expected is None else frozenset(expected))
        index.commit(plan)


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS if v["name"] not in NOT_FOR_PYCRDT], ids=lambda v: v["name"]
)
def test_pycrdt_changes_what_yjs_changes(vector: dict[str, Any]) -> None:
    """The same updates change the same paths in the server's pycrdt document."""
    server = Server(bytes.fromhex(vector["base_hex"]))
    for step in vector["steps"]:
        touched, seen = server.receive(bytes.fromhex(step["update_hex"]))
        assert seen == set(step["touched"])
        assert touched == frozenset(seen)


def test_a_step2_with_many_clients_is_covered_by_the_vectors() -> None:
    """Guards the generator: the many-client step 2 must stay many-client and multi-cell."""
    (step,) = next(v for v in VECTORS if v["name"] == "step2_many_clients")["steps"]
    structs = decode_update(bytes.fromhex(step["update_hex"])).structs
    assert len({s.client for s in structs}) >= 10
    assert len(step["touched"]) >= 10


# -------------------------------------------------------------------- pycrdt-made updates


def seeded() -> tuple[Server, Doc[Any]]:
    """A server on a fresh seed and a client replica of it."""
    seed = seed_update(DocumentKind.CONTENT)
    return Server(seed), load_document(DocumentKind.CONTENT, seed)


def test_insert_delete_and_format_in_a_cell() -> None:
    server, client = seeded()
    cell = text_at(client, "matrix/client.actors")
    for change in (
        lambda: cell.insert(0, "Asiakas ja omainen 😀"),
        lambda: cell.insert(3, "x"),
        lambda: cell.format(0, 7, {"bold": True}),
        lambda: cell.__delitem__(slice(2, 9)),
    ):
        touched, seen = server.receive(edit(client, change))
        assert touched == frozenset(seen) == {"matrix/client.actors"}


def test_add_edit_and_remove_a_component() -> None:
    server, client = seeded()
    with captured(client) as updates:
        key = add_component(client, "Yöpartio", "Kaksi hoitajaa")
    component = f"model/components/{key}"
    touched, seen = server.receive(updates[0])
    fields = {component, *(f"{component}/{k}" for k in ("order", "title", "description"))}
    assert touched == frozenset(seen) == fields
    title = text_at(client, f"{component}/title")
    touched, seen = server.receive(edit(client, lambda: title.insert(0, "Uusi ")))
    assert touched == frozenset(seen) == {f"{component}/title"}
    touched, seen = server.receive(edit(client, lambda: components_map(client).pop(key)))
    assert touched == frozenset(seen) == fields
    assert covered(f"{component}/title", component)


def test_add_vote_and_remove_an_idea() -> None:
    server, client = seeded()
    with captured(client) as updates:
        key = add_idea(client, "Kotikäynnit iltaisin", "Aino")
    touched, seen = server.receive(updates[0])
    assert touched == frozenset(seen)
    assert f"ideas/{key}/text" in seen
    touched, seen = server.receive(edit(client, lambda: set_votes(client, key, "u1", 2)))
    assert touched == frozenset(seen) == {f"ideas/{key}/votes/u1"}
    touched, seen = server.receive(edit(client, lambda: root(client, "ideas").pop(key)))
    assert touched == frozenset(seen)
    assert f"ideas/{key}" in seen


def test_an_overwritten_map_value_belongs_to_its_key() -> None:
    """The new value is written with the old one as origin and no key of its own."""
    server, client = seeded()
    with captured(client) as updates:
        key = add_component(client, "Yöpartio", "")
    server.receive(updates[0])
    order = edit(client, lambda: components_map(client)[key].__setitem__("order", 0.25))
    (struct,) = decode_update(order).structs
    assert struct.origin is not None
    assert struct.parent_sub is None
    touched, seen = server.receive(order)
    assert touched == frozenset(seen) == {f"model/components/{key}/order"}


def test_one_transaction_typing_into_two_cells() -> None:
    server, client = seeded()

    def both() -> None:
        with client.transaction():
            text_at(client, "matrix/client.actors").insert(0, "Asiakas")
            text_at(client, "path/goals").insert(0, "Tavoite")

    touched, seen = server.receive(edit(client, both))
    assert touched == frozenset(seen) == {"matrix/client.actors", "path/goals"}


def test_an_index_of_a_full_state_then_incremental_updates() -> None:
    """The index of a document with history (deletes, a collected component) answers as one
    that followed every update."""
    seed = seed_update(DocumentKind.CONTENT)
    writer = load_document(DocumentKind.CONTENT, seed)
    followed = DocumentIndex.from_state(seed)
    with captured(writer) as updates:
        cell = text_at(writer, "model/purpose")
        cell.insert(0, "Tarkoitus on hyvä")
        del cell[2:6]
        gone = add_component(writer, "Poistuva", "teksti")
        kept = add_component(writer, "Pysyvä", "")
        del components_map(writer)[gone]
    for update in updates:
        followed.add(update)
    server = Server(writer.get_update())
    for change, expected in [
        (lambda: cell.insert(3, "x"), {"model/purpose"}),
        (lambda: cell.__delitem__(slice(0, 2)), {"model/purpose"}),
        (
            lambda: text_at(writer, f"model/components/{kept}/title").insert(0, "!"),
            {f"model/components/{kept}/title"},
        ),
    ]:
        update = edit(writer, change)
        assert followed.plan(update).touched == frozenset(expected)
        followed.add(update)
        touched, seen = server.receive(update)
        assert touched == frozenset(seen) == expected


def replica(seed: bytes, client_id: int) -> Doc[Any]:
    """A content replica with a chosen client id, every root ready to read."""
    doc: Doc[Any] = Doc(client_id=client_id)
    doc.apply_update(seed)
    for name in ROOTS[DocumentKind.CONTENT]:
        root(doc, name)
    return doc


def test_an_origin_written_later_in_the_same_update() -> None:
    """yrs writes clients in descending order: client 9's text names client 5's as origin,
    and client 5's structs come after it in the bytes."""
    seed = seed_update(DocumentKind.CONTENT)
    server = Server(seed)
    low, high = replica(seed, 5), replica(seed, 9)
    text_at(low, "model/name").insert(0, "abc")
    high.apply_update(low.get_update())
    text_at(high, "model/name").insert(3, "XYZ")
    both = high.get_update(server.doc.get_state())
    structs = decode_update(both).structs
    assert [(s.client, s.origin) for s in structs] == [(9, (5, 2)), (5, None)]
    touched, seen = server.receive(both)
    assert touched == frozenset(seen) == {"model/name"}


def test_updates_with_missing_dependencies_wait_for_them() -> None:
    """Out of order, a typed character's update cannot be told (None: a lock refuses it); the
    update that brings what it needs touches both, as applying it brings both in."""
    seed = seed_update(DocumentKind.CONTENT)
    server, client = Server(seed), load_document(DocumentKind.CONTENT, seed)
    cell = text_at(client, "model/core_idea")
    first = edit(client, lambda: cell.insert(0, "ydin"))
    second = edit(client, lambda: text_at(client, "model/conditions").insert(0, "ehdot"))
    third = edit(client, lambda: cell.insert(4, "ajatus"))
    index = server.index
    for update in (third, second):
        plan = index.plan(update)
        assert plan.touched is None
        index.commit(plan)
    assert index.plan(first).touched == frozenset({"model/core_idea", "model/conditions"})
    deletion = edit(client, lambda: cell.__delitem__(slice(0, 2)))
    assert index.plan(deletion).touched is None  # deletes what the index has not got


def test_a_plan_is_committed_only_on_the_index_it_was_made_on() -> None:
    server, client = seeded()
    update = edit(client, lambda: text_at(client, "path/goals").insert(0, "x"))
    stale = server.index.plan(update)
    server.index.add(update)
    with pytest.raises(ValueError, match="changed since"):
        server.index.commit(stale)


def test_an_edit_of_a_component_removed_meanwhile_touches_nothing() -> None:
    seed = seed_update(DocumentKind.CONTENT)
    server, remover = Server(seed), load_document(DocumentKind.CONTENT, seed)
    with captured(remover) as updates:
        key = add_component(remover, "Poistuva", "abc")
    server.receive(updates[0])
    typist = load_document(DocumentKind.CONTENT, seed, updates[0])
    late = edit(
        typist, lambda: text_at(typist, f"model/components/{key}/description").insert(2, "x")
    )
    server.receive(edit(remover, lambda: components_map(remover).pop(key)))
    assert server.receive(late) == (frozenset(), set())
    # The same on an index built from the state, where the removed texts are collected.
    again = Server(server.doc.get_update())
    assert again.receive(late) == (frozenset(), set())


def test_deleting_what_is_already_deleted_touches_nothing() -> None:
    seed = seed_update(DocumentKind.CONTENT)
    server, one = Server(seed), load_document(DocumentKind.CONTENT, seed)
    base = edit(one, lambda: text_at(one, "evaluation/results").insert(0, "tulokset"))
    server.receive(base)
    other = load_document(DocumentKind.CONTENT, seed, base)
    server.receive(edit(one, lambda: text_at(one, "evaluation/results").__delitem__(slice(0, 4))))
    again = edit(other, lambda: text_at(other, "evaluation/results").__delitem__(slice(1, 3)))
    assert server.receive(again) == (frozenset(), set())


def test_a_component_added_and_removed_in_one_update_still_touches_its_path() -> None:
    """Conservative: a map value counts even when the same update deletes it, since it may
    have displaced a concurrent value; nothing visible changes."""
    seed = seed_update(DocumentKind.CONTENT)
    server, offline = Server(seed), load_document(DocumentKind.CONTENT, seed)
    key = add_component(offline, "Hetken", "")
    del components_map(offline)[key]
    touched, seen = server.receive(offline.get_update(server.doc.get_state()))
    assert seen == set()
    assert touched is not None
    assert f"model/components/{key}" in touched


def test_hostile_nesting_is_cut_to_a_prefix() -> None:
    doc: Doc[Any] = Doc()
    node = doc.get("ideas", type=Map)
    for level in range(MAX_DEPTH + 10):
        inner: Map[Any] = Map()
        node[f"k{level}"] = inner
        node = inner
    paths = DocumentIndex().plan(doc.get_update()).touched
    assert paths is not None
    deepest = max(paths, key=len)
    assert deepest.count("/") == MAX_DEPTH
    assert covered(deepest, "ideas/" + "/".join(f"k{n}" for n in range(MAX_DEPTH + 5)))


@pytest.mark.parametrize(
    ("path", "target", "expected"),
    [
        ("matrix/client.actors", "matrix/client.actors", True),
        ("matrix/client.actors", "matrix", True),
        ("matrix/client.actors", CONTENT, True),
        ("model/components/abc", "model/components/abc/title", True),
        ("model/components/abc/title", "model/components/abc", True),
        ("matrix/client.actors", "matrix/client.actor", False),
        ("matrix/client.actorsx", "matrix/client.actors", False),
        ("model/purpose", "matrix", False),
        ("model/components/abc", "model/components/abd", False),
    ],
)
def test_covered(path: str, target: str, expected: bool) -> None:
    assert covered(path, target) is expected


def test_garbage_raises_protocol_error() -> None:
    server, _ = seeded()
    with pytest.raises(ProtocolError):
        server.index.plan(b"\x01\x05")


# ----------------------------------------------------------------- random edits, replicas

CELLS = ("matrix/client.actors", "matrix/professional.tasks", "model/purpose", "path/goals")


class Replica:
    """A client's document and the updates it has not sent yet, each marked with the server's
    version when the client made it in sync with the server (None otherwise)."""

    def __init__(self, seed: bytes, client_id: int) -> None:
        self.doc = replica(seed, client_id)  # fixed ids, so that Hypothesis can replay a case
        self.client_id = client_id
        self.outbox: list[tuple[bytes, int | None]] = []
        self.mark: int | None = None
        self.receiving = False
        self.doc.observe(self._sent)

    def __repr__(self) -> str:
        return f"Replica({self.client_id})"

    def _sent(self, event: Any) -> None:
        if not self.receiving:
            self.outbox.append((event.update, self.mark))

    def receive(self, update: bytes) -> None:
        self.receiving = True
        try:
            self.doc.apply_update(update)
        finally:
            self.receiving = False


def text_fields(doc: Doc[Any]) -> list[str]:
    components = [f"model/components/{key}/title" for key in sorted(components_map(doc).keys())]
    ideas = [f"ideas/{key}/text" for key in sorted(root(doc, "ideas").keys())]
    return [*CELLS, *components, *ideas]


def random_edit(doc: Doc[Any], data: st.DataObject, fresh: Iterator[int]) -> None:
    """One edit a client may make: type, delete, format, add, move or remove an item, vote."""
    draw = data.draw
    components, ideas = components_map(doc), root(doc, "ideas")
    kind = draw(st.sampled_from(["type", "type", "delete", "format", "item", "order", "vote"]))
    if kind in ("type", "delete", "format"):
        cell = text_at(doc, draw(st.sampled_from(text_fields(doc))))
        size = len(str(cell))
        start = draw(st.integers(0, size))
        if kind == "type" or size == 0:
            cell.insert(byte_index(cell, start), draw(st.text("abö😀 ", min_size=1, max_size=4)))
            return
        end = draw(st.integers(start, size))
        if kind == "delete":
            del cell[byte_index(cell, start) : byte_index(cell, end)]
        else:
            styles: list[dict[str, Any]] = [{"bold": True}, {"italic": True}, {"bold": None}]
            style = draw(st.sampled_from(styles))
            cell.format(byte_index(cell, start), byte_index(cell, end), style)
    elif kind == "item":
        which = (
            components if draw(st.sampled_from(["components", "ideas"])) == "components" else ideas
        )
        if len(which) and draw(st.booleans()):
            del which[draw(st.sampled_from(sorted(which.keys())))]
        elif which is components:
            add_component(doc, draw(st.text("xyz", max_size=3)), "", component_id=f"c{next(fresh)}")
        else:
            add_idea(doc, draw(st.text("xyz", max_size=3)), "Aino", idea_id=f"i{next(fresh)}")
    elif kind == "order" and components:
        key = draw(st.sampled_from(sorted(components.keys())))
        components[key]["order"] = float(next(fresh))
    elif kind == "vote" and ideas:
        key = draw(st.sampled_from(sorted(ideas.keys())))
        set_votes(doc, key, draw(st.sampled_from(["u1", "u2"])), next(fresh))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_random_edits_on_replicas_touch_exactly_what_changes(data: st.DataObject) -> None:
    """Three clients edit, send and catch up in any order. Every update touches at least what
    it changes on the server; exactly that when its client was in sync when making it."""
    seed = seed_update(DocumentKind.CONTENT)
    server = Server(seed)
    replicas = [Replica(seed, client_id) for client_id in (1, 200, 3_000_000)]
    fresh = itertools.count(1)
    version = 0

    def send(replica: Replica) -> None:
        nonlocal version
        update, mark = replica.outbox.pop(0)
        touched, seen = server.receive(update)
        assert touched is not None  # a client's updates in order never lack a dependency
        # Deleting an idea deletes the votes a concurrent client added in it, which the
        # deleting client could not name: they are under a touched path.
        assert all(any(path == t or path.startswith(f"{t}/") for t in touched) for path in seen)
        if mark == version:
            assert touched == seen
            event("in sync: touched == changed" + (" (empty)" if not seen else ""))
        else:
            event("concurrent" + (", touched more" if touched - seen else ""))
            event("concurrent" + (", changed under touched" if seen - touched else ""))
        version += 1

    actions = ["edit", "edit", "send", "send", "catch up", "step 2", "reload"]
    for _ in range(data.draw(st.integers(1, 30))):
        replica = data.draw(st.sampled_from(replicas))
        action = data.draw(st.sampled_from(actions))
        if action == "edit":
            in_sync = not replica.outbox and replica.doc.get_state() == server.doc.get_state()
            replica.mark = version if in_sync else None
            random_edit(replica.doc, data, fresh)
        elif action == "send" and replica.outbox:
            send(replica)
        elif action == "step 2" and replica.outbox:
            # Back online: everything unsent as one step 2 answering the server's state vector.
            replica.outbox = [(replica.doc.get_update(server.doc.get_state()), None)]
            send(replica)
        elif action == "catch up":
            replica.receive(server.doc.get_update(replica.doc.get_state()))
        elif action == "reload":  # the room reloads: the index is built from the whole state
            server.index = DocumentIndex.from_state(server.doc.get_update())
    for replica in replicas:
        while replica.outbox:
            send(replica)


def test_a_client_named_twice_in_one_update() -> None:
    """Yjs writes each client once; a crafted update may not, and must not muddle the index."""
    seed = seed_update(DocumentKind.CONTENT)
    server, client = Server(seed), replica(seed, 5)
    first = edit(client, lambda: text_at(client, "model/name").insert(0, "ab"))
    second = edit(client, lambda: text_at(client, "path/goals").insert(0, "cd"))
    other = replica(seed, 9)
    third = edit(other, lambda: text_at(other, "model/purpose").insert(0, "x"))
    # Three groups, client 5's later clocks first: each update's one group, without its count
    # of groups before and its empty delete set after.
    crafted = b"\x03" + b"".join(update[1:-1] for update in (second, third, first)) + b"\x00"
    assert [s.client for s in decode_update(crafted).structs] == [5, 9, 5]
    touched, seen = server.receive(crafted)
    assert touched == frozenset(seen) == {"model/name", "path/goals", "model/purpose"}
