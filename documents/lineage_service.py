"""Versions, forks and the lineage view: the operations behind the API and the CLI.

The current state of a document comes from a `Snapshot` callable (see `workshop_service`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import structlog
from pycrdt import get_state

from documents.access import DocumentKind, document_name, parse_document_name
from documents.diff import changed_cells
from documents.export import WorkshopExport
from documents.family_graph import FamilyGraph, FamilyGraphs, build, encode
from documents.gc_pause import collections_paused
from documents.records import ForkEdge, LinkRecord, VersionRecord, WorkshopRecord, new_id, utc_now
from documents.store.base import Store
from documents.store.log import PendingUpdate, replay
from documents.workshop_doc import ContentData, content_to_data, load_document, seed_update
from documents.workshop_service import Snapshot, workshop_export

log = structlog.get_logger(__name__)

# Comments are not versioned: a version's export carries none.
NO_COMMENTS = seed_update(DocumentKind.COMMENTS)

T = TypeVar("T")
U = TypeVar("U")

DIVERGENCE_LIMIT = 200  # descendants whose divergence is computed in one lineage answer


async def name_version(
    store: Store,
    snapshot: Snapshot,
    workshop: WorkshopRecord,
    label: str,
    *,
    author: str | None,
    automatic: bool = False,
) -> VersionRecord:
    """A version of the content as committed now."""
    state, position = await snapshot(document_name(workshop.id, DocumentKind.CONTENT))
    return await store.lineage.add_version(
        workshop.id,
        label,
        author=author,
        automatic=automatic,
        position=position,
        state_vector=get_state(state),
    )


# The labels of the versions the server makes itself when the content falls quiet or before a
# restore: what the CLI and the API show; the page words them in its language by their kind.
AUTOMATIC_LABEL = "Automatic version"
BEFORE_RESTORE_LABEL = "Before restore"
# What automatic versions were labelled before the kinds were told apart.
_QUIET_LABELS = frozenset((AUTOMATIC_LABEL, "Automaattinen versio (automatic version)"))

VersionKind = Literal["named", "automatic", "before_restore"]


def version_kind(version: VersionRecord) -> VersionKind:
    """`automatic`: made when the content fell quiet (or its room unloaded); `before_restore`:
    the content a restore replaced; `named`: any other, named by a person or by the server for
    an occasion (the end of an Innopaja session), whose label is what to show."""
    if version.automatic and version.label == BEFORE_RESTORE_LABEL:
        return "before_restore"
    if version.automatic and version.label in _QUIET_LABELS:
        return "automatic"
    return "named"


async def version_when_quiet(
    store: Store, document: str, position: int, state_vector: bytes
) -> VersionRecord | None:
    """An automatic version of a workshop's content after a quiet period, so that history
    exists even when nobody names a version; the version made, if any. Other documents
    (comments, session, open documents) are not versioned, and neither is content that reads
    as the latest version did (edits undone, a client's update that changed nothing)."""
    workshop_id, kind = parse_document_name(document)
    if kind is not DocumentKind.CONTENT or await store.workshops.get(workshop_id) is None:
        return None
    latest = await store.lineage.versions(workshop_id)
    if latest and latest[0].position >= position:
        return None
    now = _read(await content_at(store, workshop_id, position))
    if latest and await _reads_as(store, latest[0], now):
        log.info("automatic_version_unchanged", workshop=workshop_id, position=position)
        return None
    version = await store.lineage.add_version(
        workshop_id,
        AUTOMATIC_LABEL,
        author=None,
        automatic=True,
        position=position,
        state_vector=state_vector,
    )
    log.info("automatic_version", workshop=workshop_id, version=version.id, position=position)
    return version


async def version_before_restore(
    store: Store,
    workshop: WorkshopRecord,
    state: bytes,
    position: int,
    target: ContentData,
    *,
    author: str | None,
) -> VersionRecord | None:
    """An automatic version of the content a restore to `target` is about to replace (`state`,
    committed at `position`), so the restore can itself be undone from the list. None when the
    restore replaces nothing, or when the latest version already reads the same (restoring
    that one undoes it)."""
    now = _read(state)
    if now == target:
        return None
    latest = await store.lineage.versions(workshop.id)
    if latest and await _reads_as(store, latest[0], now):
        return None
    return await store.lineage.add_version(
        workshop.id,
        BEFORE_RESTORE_LABEL,
        author=author,
        automatic=True,
        position=position,
        state_vector=get_state(state),
    )


def _read(state: bytes) -> ContentData:
    return content_to_data(load_document(DocumentKind.CONTENT, state))


async def _reads_as(store: Store, version: VersionRecord, content: ContentData) -> bool:
    """Whether the content at the version reads as `content`, everywhere: texts, lists in
    their order, ideas' votes. (Neither state vectors nor positions can say: a deletion
    advances no state vector, and an update may change nothing.)"""
    return _read(await content_at(store, version.workshop_id, version.position)) == content


async def content_at(store: Store, workshop_id: str, position: int) -> bytes:
    """The content document as it stood at a log position, rebuilt from checkpoints and log."""
    name = document_name(workshop_id, DocumentKind.CONTENT)
    return replay(await store.load(name, upto=position)).get_update()


async def content_data(
    store: Store, snapshot: Snapshot, workshop_id: str, version: VersionRecord | None
) -> ContentData:
    """The content as plain data: at a version, or (None) as committed now."""
    if version is None:
        state, _ = await snapshot(document_name(workshop_id, DocumentKind.CONTENT))
    else:
        state = await content_at(store, workshop_id, version.position)
    return content_to_data(load_document(DocumentKind.CONTENT, state))


async def export_at(
    store: Store, workshop: WorkshopRecord, version: VersionRecord
) -> WorkshopExport:
    """The content as it stood at a version, as an export without comments."""
    content = await content_at(store, workshop.id, version.position)
    return workshop_export(workshop, content, NO_COMMENTS)


async def fork(
    store: Store,
    snapshot: Snapshot,
    parent: WorkshopRecord,
    *,
    organisation: str,
    reason: str,
    forked_by: str | None,
    version: VersionRecord | None = None,
    title: str | None = None,
) -> tuple[WorkshopRecord, LinkRecord]:
    """A new workshop whose content starts from the parent's state (now, or at a version),
    under its own title (default `adoption_title`).

    The child's first content update is the parent's full state, so the two share their CRDT
    history and later pulls and proposals merge cleanly. Comments and the session start empty.
    A fork is as private as its parent: whoever may read a private workshop may adopt it, but
    only its new owner may publish the copy.
    """
    if version is None:
        state, position = await snapshot(document_name(parent.id, DocumentKind.CONTENT))
    else:
        position = version.position
        state = await content_at(store, parent.id, position)
    child_id = new_id()
    edge = ForkEdge(
        child_id=child_id,
        parent_id=parent.id,
        parent_version_id=version.id if version else None,
        parent_position=position,
        parent_state_vector=get_state(state),
        organisation=organisation,
        reason=reason,
        forked_by=forked_by,
        created_at=utc_now(),
    )
    seeds = [
        PendingUpdate(document_name(child_id, DocumentKind.CONTENT), state),
        PendingUpdate(
            document_name(child_id, DocumentKind.COMMENTS), seed_update(DocumentKind.COMMENTS)
        ),
        PendingUpdate(
            document_name(child_id, DocumentKind.SESSION), seed_update(DocumentKind.SESSION)
        ),
    ]
    fields = {
        "title": title or adoption_title(parent.title, organisation),
        "organisation": organisation,
        "description": parent.description,
        "visibility": parent.visibility,
    }
    return await store.workshops.create(fields, seeds, workshop_id=child_id, fork=edge)


TITLE_MAX = 300


def adoption_title(title: str, organisation: str) -> str:
    """An adoption's title unless the adopter gives one: "TITLE (ORGANISATION)", so a family's
    members can be told apart by name. The model's title is shortened (with an ellipsis) when
    both would not fit the 300 characters a title may have."""
    suffix = f" ({organisation})"
    if len(title) + len(suffix) <= TITLE_MAX:
        return title + suffix
    room = max(TITLE_MAX - len(suffix) - 1, 0)
    return (title[:room] + "…" + suffix)[:TITLE_MAX]


@dataclass(frozen=True, slots=True)
class Lineage:
    root: str
    graph: FamilyGraph
    in_use: list[dict[str, Any]]

    def to_json(self) -> bytes:
        """The answer as the API sends it: the kept graph spliced in, encoded once."""
        return b"".join(
            (
                b'{"root":',
                encode(self.root),
                b',"nodes":',
                self.graph.nodes,
                b',"edges":',
                self.graph.edges,
                b',"in_use":',
                encode(self.in_use),
                b"}",
            )
        )


async def family_graph(store: Store, workshop_id: str, graphs: FamilyGraphs) -> FamilyGraph:
    """The graph of the workshop's whole family: the one `graphs` keeps while the family's
    version says it is current, else built from the rows and kept. The version is read before
    the rows, so a graph is never kept under a version newer than its rows. The rows live only
    while the graph is built, and no collection runs meanwhile (see documents.gc_pause)."""
    root, version = await store.lineage.family_head(workshop_id)
    return await _graph(store, root, version, graphs)


async def _graph(store: Store, root: str, version: int, graphs: FamilyGraphs) -> FamilyGraph:
    graph = graphs.get(root, version)
    if graph is None:
        with collections_paused():
            rows, top = await _beside(store.lineage.family(root), store.workshops.get(root))
            graph = build(root, version, top, rows)
        graphs.keep(graph)
    return graph


async def _beside(main: Awaitable[T], side: Awaitable[U]) -> tuple[T, U]:
    """Both reads at once, on two connections: `side` runs while `main` is awaited, and is
    cancelled if `main` fails."""
    reading = asyncio.ensure_future(side)
    try:
        first = await main
    except BaseException:
        reading.cancel()
        with contextlib.suppress(BaseException):
            await reading
        raise
    return first, await reading


async def lineage(
    store: Store, snapshot: Snapshot, workshop: WorkshopRecord, graphs: FamilyGraphs
) -> Lineage:
    """The whole family (from the root down) and where this workshop's model is in use; of
    the private and deleted members, only where they are (see `family_graph.shown`).

    The graph comes from `graphs` (see `family_graph`). For the root, whose forks are all in
    use below it, their last activities are read while the graph is built: the database
    answers one while Python builds the other (for 10,000 forks, ~25 ms after the graph's
    ~40). A member's walk down is read after the graph: small for most members, it showed no
    gain for a leaf when read at once.
    """
    root, version = await store.lineage.family_head(workshop.id)
    if root != workshop.id:
        graph = await _graph(store, root, version, graphs)
        below = await store.lineage.activity_below(workshop.id)
    else:
        graph, below = await _beside(
            _graph(store, root, version, graphs), store.lineage.family_activity(root)
        )
    in_use: list[dict[str, Any]] = []
    counted: list[dict[str, Any]] = []  # the public ones among the first DIVERGENCE_LIMIT in use
    for child, organisation, forked_at, status in graph.members if below else ():
        if child not in below:
            continue
        if status != "public":
            # As in the graph: that it is there, not who, when or how much it changed.
            in_use.append({"id": child, status: True})
            continue
        entry = {
            "id": child,
            "organisation": organisation,
            "forked_at": forked_at,
            "last_activity": below[child],
            "cells_changed": None,
        }
        if len(in_use) < DIVERGENCE_LIMIT:
            counted.append(entry)
        in_use.append(entry)
    await _count_changed_cells(store, snapshot, counted, graph.divergence)
    return Lineage(root, graph, in_use)


async def _count_changed_cells(
    store: Store,
    snapshot: Snapshot,
    entries: list[dict[str, Any]],
    known: dict[str, tuple[int, int]],
) -> None:
    """Fill in how many cells each fork changed since it was taken.

    What a fork was taken from is its content's first log entry, the parent's state that
    `fork` wrote. A fork that logged nothing after it changed nothing and is answered without
    loading anything; the others compare it with their content now. (State vectors cannot
    tell the two apart: a deletion does not advance one.) Forks taken from the same state, as
    when many adopt a model nobody has changed in between, share one reading of it.

    A count is `known` by the log position of the state it was made from, and stands while the
    fork's latest entry is at or below it: a snapshot covers every entry up to its position
    (a load settles the document first, see `UpdateLog.load`), so any later edit lies above it.
    """
    edited = await store.lineage.edited_forks([entry["id"] for entry in entries])
    readings: dict[bytes, ContentData] = {}
    for entry in entries:
        fork_id = entry["id"]
        found = edited.get(fork_id)
        if found is None:
            entry["cells_changed"] = 0
            continue
        taken, latest = found
        counted = known.get(fork_id)
        if counted is not None and counted[0] >= latest:
            entry["cells_changed"] = counted[1]
            continue
        before = readings.get(taken)
        if before is None:
            before = readings[taken] = content_to_data(load_document(DocumentKind.CONTENT, taken))
        now, position = await snapshot(document_name(fork_id, DocumentKind.CONTENT))
        after = content_to_data(load_document(DocumentKind.CONTENT, now))
        entry["cells_changed"] = len(changed_cells(before, after))
        known[fork_id] = (position, entry["cells_changed"])
