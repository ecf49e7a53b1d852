"""The versions, forks and lineage part of the JSON API (same conventions as `web.api`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from collab.touched import DocumentIndex
from documents.access import DocumentKind, document_name
from documents.diff import cell_texts
from documents.family_graph import FamilyGraphs
from documents.lineage_service import Snapshot, content_at, fork, lineage, name_version
from documents.merge import (
    CellChange,
    incoming_changes,
    item_data,
    merge_reviewed,
    missed_items,
    preview,
)
from documents.records import VersionRecord
from documents.restore import restore
from documents.store.base import Store
from documents.workshop_doc import ContentData, content_to_data, load_document, seed_update
from documents.workshop_service import workshop_export
from web.api import (
    BODY_ERRORS,
    ERRORS,
    ApiError,
    Endpoint,
    Services,
    authorise,
    created,
    read_body,
)

# Comments are not versioned: a version's export carries none.
EMPTY_UPDATE = seed_update(DocumentKind.COMMENTS)


def store_of(request: Request) -> Store:
    store: Store = request.state.store
    return store


def snapshot_of(request: Request) -> Snapshot:
    return Services.of(request).hub.rooms.snapshot


def version_json(version: VersionRecord) -> dict[str, Any]:
    return {
        "id": version.id,
        "label": version.label,
        "author": version.author,
        "automatic": version.automatic,
        "position": version.position,
        "created_at": version.created_at.isoformat(),
    }


async def _version(request: Request, workshop_id: str, version_id: str) -> VersionRecord:
    version = await store_of(request).lineage.version(workshop_id, version_id)
    if version is None:
        raise ApiError(404, "not_found", f"no version {version_id} in workshop {workshop_id}")
    return version


async def create_version(request: Request) -> Response:
    access = await authorise(request, "editor")
    body = await read_body(request, "version-create.request")
    version = await name_version(
        store_of(request),
        snapshot_of(request),
        access.workshop,
        body["label"],
        author=body.get("author") or access.role,
    )
    return JSONResponse(version_json(version), status_code=201)


async def list_versions(request: Request) -> Response:
    access = await authorise(request)
    versions = await store_of(request).lineage.versions(access.workshop.id)
    return JSONResponse({"items": [version_json(v) for v in versions]})


async def version_export(request: Request) -> Response:
    access = await authorise(request)
    version = await _version(request, access.workshop.id, request.path_params["version_id"])
    content = await content_at(store_of(request), access.workshop.id, version.position)
    return JSONResponse(workshop_export(access.workshop, content, EMPTY_UPDATE))


async def fork_workshop(request: Request) -> Response:
    """Anyone who may read a workshop may adopt it: openness."""
    access = await authorise(request)
    body = await read_body(request, "fork.request")
    version = None
    if "version" in body:
        version = await _version(request, access.workshop.id, body["version"])
    workshop, owner = await fork(
        store_of(request),
        snapshot_of(request),
        access.workshop,
        organisation=body["organisation"],
        reason=body["reason"],
        forked_by=body.get("by"),
        version=version,
        title=body.get("title"),
    )
    origin = await store_of(request).lineage.parent(workshop.id)
    return created(Services.of(request), workshop, owner, origin)


async def get_lineage(request: Request) -> Response:
    access = await authorise(request)
    graphs: FamilyGraphs = request.state.family_graphs
    found = await lineage(store_of(request), snapshot_of(request), access.workshop, graphs)
    return Response(found.to_json(), media_type="application/json")


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "POST",
        "/api/workshops/{workshop_id}/versions",
        create_version,
        "Name a version of the content as it is now",
        "version-create.request",
        {201: "version.response", **BODY_ERRORS},
        "editor",
    ),
    Endpoint(
        "GET",
        "/api/workshops/{workshop_id}/versions",
        list_versions,
        "The workshop's versions, newest first",
        None,
        {200: "version-list.response", **ERRORS},
    ),
    Endpoint(
        "GET",
        "/api/workshops/{workshop_id}/versions/{version_id}/export.json",
        version_export,
        "The content as it stood at a version, as an export (comments are not versioned)",
        None,
        {200: "workshop-export", **ERRORS},
    ),
    Endpoint(
        "POST",
        "/api/workshops/{workshop_id}/fork",
        fork_workshop,
        "Adopt the model: a new workshop sharing its history, owned by the adopter",
        "fork.request",
        {201: "workshop-created.response", **BODY_ERRORS},
    ),
    Endpoint(
        "GET",
        "/api/workshops/{workshop_id}/lineage",
        get_lineage,
        "The model's whole family as nodes and edges, and where this workshop is in use",
        None,
        {200: "lineage.response", **ERRORS},
    ),
]


def change_json(change: CellChange) -> dict[str, Any]:
    return {"cell": change.cell, "current": change.current, "incoming": change.incoming}


async def _content(request: Request, workshop_id: str) -> bytes:
    state, _ = await snapshot_of(request)(document_name(workshop_id, DocumentKind.CONTENT))
    return state


@dataclass(frozen=True, slots=True)
class Review:
    """What merging a source into a target would change, cell by cell: what the CRDT merge
    brings (`incoming`), and the components and ideas it cannot bring, which taking them
    makes again as the source has them (`revivable`)."""

    incoming: bytes
    changes: list[CellChange]
    revivable: dict[str, dict[str, Any]]


def review(source: bytes, target: bytes) -> Review:
    incoming = incoming_changes(source, target)
    changes = preview(target, incoming)
    # Where the incoming items sit in the source: an item the target declined (and so
    # removed) earlier is offered again when the source changes it later.
    changed = DocumentIndex.from_state(source).paths_of(incoming)
    missed = missed_items(source, target, changed, {change.cell for change in changes})
    revivable = item_data(source, [change.cell for change in missed])
    return Review(incoming, changes + missed, revivable)


async def _upstream(request: Request, child_id: str) -> tuple[str, Review]:
    edge = await store_of(request).lineage.parent(child_id)
    if edge is None:
        raise ApiError(404, "not_a_fork", f"workshop {child_id} was not forked from another")
    child = await _content(request, child_id)
    return edge.parent_id, review(await _content(request, edge.parent_id), child)


async def _merge(request: Request, target_id: str, found: Review) -> tuple[list[str], list[str]]:
    """Apply a review to the live target document; 409 when the review missed a cell."""
    incoming, changes = found.incoming, found.changes
    body = await read_body(request, "merge.request")
    accept, reject = set(body["accept"]), set(body["reject"])
    changed = {change.cell for change in changes}
    both = accept & reject
    if both:
        raise ApiError(422, "invalid_request", "cells both accepted and rejected", sorted(both))
    undecided = changed - accept - reject
    if undecided:
        raise ApiError(
            409,
            "review_outdated",
            "these cells changed and were not reviewed: preview again",
            sorted(undecided),
        )
    rooms = Services.of(request).hub.rooms
    async with rooms.holding(document_name(target_id, DocumentKind.CONTENT)) as room:
        revived = {cell: data for cell, data in found.revivable.items() if cell in accept}
        await room.server_edit(lambda doc: merge_reviewed(doc, incoming, reject & changed, revived))
    return sorted(accept & changed), sorted(reject & changed)


async def get_upstream(request: Request) -> Response:
    access = await authorise(request, "owner")
    parent_id, found = await _upstream(request, access.workshop.id)
    changes = [change_json(c) for c in found.changes]
    return JSONResponse({"parent": parent_id, "changes": changes})


async def pull_upstream(request: Request) -> Response:
    access = await authorise(request, "owner")
    _, found = await _upstream(request, access.workshop.id)
    accepted, rejected = await _merge(request, access.workshop.id, found)
    await store_of(request).lineage.record_event(
        access.workshop.id, "pull", actor=access.role, accepted=accepted, rejected=rejected
    )
    return JSONResponse({"accepted": accepted, "rejected": rejected})


async def _proposal(request: Request, parent_id: str, fork_id: str) -> Review:
    edge = await store_of(request).lineage.parent(fork_id)
    if edge is None or edge.parent_id != parent_id:
        raise ApiError(404, "not_found", f"workshop {fork_id} is not a fork of {parent_id}")
    target = await _content(request, parent_id)
    return review(await _content(request, fork_id), target)


async def list_proposals(request: Request) -> Response:
    """Each direct fork's changes on offer, cell by cell (forks with none are left out)."""
    access = await authorise(request, "owner")
    store = store_of(request)
    items = []
    for edge in await store.lineage.children(access.workshop.id):
        changes = (await _proposal(request, access.workshop.id, edge.child_id)).changes
        if changes:
            items.append(
                {
                    "fork": edge.child_id,
                    "organisation": edge.organisation,
                    "changes": [change_json(c) for c in changes],
                }
            )
    return JSONResponse({"items": items})


async def accept_proposal(request: Request) -> Response:
    access = await authorise(request, "owner")
    fork_id = request.path_params["fork_id"]
    found = await _proposal(request, access.workshop.id, fork_id)
    accepted, rejected = await _merge(request, access.workshop.id, found)
    await store_of(request).lineage.record_event(
        fork_id, "proposal", actor=access.role, accepted=accepted, rejected=rejected
    )
    return JSONResponse({"accepted": accepted, "rejected": rejected})


ENDPOINTS += [
    Endpoint(
        "GET",
        "/api/workshops/{workshop_id}/upstream",
        get_upstream,
        "What changed upstream since the fork or the last pull, per cell (a preview)",
        None,
        {200: "upstream.response", **ERRORS},
        "owner",
    ),
    Endpoint(
        "POST",
        "/api/workshops/{workshop_id}/upstream/pull",
        pull_upstream,
        "Merge upstream changes: accepted cells take them, rejected cells keep the fork's text",
        "merge.request",
        {200: "merge.response", 409: "error", **BODY_ERRORS},
        "owner",
    ),
    Endpoint(
        "GET",
        "/api/workshops/{workshop_id}/proposals",
        list_proposals,
        "Changes the direct forks offer back, per fork and cell",
        None,
        {200: "proposals.response", **ERRORS},
        "owner",
    ),
    Endpoint(
        "POST",
        "/api/workshops/{workshop_id}/proposals/{fork_id}/accept",
        accept_proposal,
        "Merge a fork's changes: accepted cells take them, rejected cells keep the origin's",
        "merge.request",
        {200: "merge.response", 409: "error", **BODY_ERRORS},
        "owner",
    ),
]


async def _content_data(request: Request, workshop_id: str, which: str) -> ContentData:
    """The content at a version id, or `now`."""
    if which == "now":
        state = await _content(request, workshop_id)
    else:
        version = await _version(request, workshop_id, which)
        state = await content_at(store_of(request), workshop_id, version.position)
    return content_to_data(load_document(DocumentKind.CONTENT, state))


async def diff(request: Request) -> Response:
    access = await authorise(request)
    source, target = request.query_params.get("from"), request.query_params.get("to", "now")
    if not source:
        raise ApiError(400, "invalid_request", "from= (a version id) is required")
    before = cell_texts(await _content_data(request, access.workshop.id, source))
    after = cell_texts(await _content_data(request, access.workshop.id, target))
    changes = [
        {"cell": cell, "from": before.get(cell), "to": after.get(cell)}
        for cell in sorted(before.keys() | after.keys())
        if before.get(cell) != after.get(cell)
    ]
    return JSONResponse({"from": source, "to": target, "changes": changes})


async def restore_version(request: Request) -> Response:
    access = await authorise(request, "editor")
    version = await _version(request, access.workshop.id, request.path_params["version_id"])
    state = await content_at(store_of(request), access.workshop.id, version.position)
    target = content_to_data(load_document(DocumentKind.CONTENT, state))
    changed: list[str] = []

    def edit(doc: Any) -> None:
        changed.extend(restore(doc, target))

    name = document_name(access.workshop.id, DocumentKind.CONTENT)
    async with Services.of(request).hub.rooms.holding(name) as room:
        await room.server_edit(edit)
    return JSONResponse({"version": version.id, "changed": changed})


ENDPOINTS += [
    Endpoint(
        "GET",
        "/api/workshops/{workshop_id}/diff",
        diff,
        "Two versions (?from=VERSION&to=VERSION|now) compared cell by cell",
        None,
        {200: "diff.response", **ERRORS},
    ),
    Endpoint(
        "POST",
        "/api/workshops/{workshop_id}/versions/{version_id}/restore",
        restore_version,
        "Restore a version as a new change, live for everyone connected; history is kept",
        None,
        {200: "restore.response", **ERRORS},
        "editor",
    ),
]
