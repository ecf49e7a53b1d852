"""The versions, forks and lineage part of the JSON API (same conventions as `web.api`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from documents.access import DocumentKind, document_name
from documents.diff import differences
from documents.family_graph import FamilyGraphs
from documents.lineage_service import (
    content_data,
    export_at,
    fork,
    lineage,
    name_version,
)
from documents.merge import (
    CellChange,
    ContradictoryReview,
    OutdatedReview,
    Review,
    check_review,
    merge_reviewed,
)
from documents.offers import Offer, proposal, proposals, upstream
from documents.records import VersionRecord
from documents.restore import restore
from documents.store.base import Store
from documents.workshop_doc import ContentData
from documents.workshop_service import Snapshot
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
    return JSONResponse(await export_at(store_of(request), access.workshop, version))


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


async def _merge(request: Request, target_id: str, offer: Offer) -> Review:
    """Apply a review to the live target document; 409 when the review missed a cell."""
    body = await read_body(request, "merge.request")
    try:
        review = check_review(offer.changes, body["accept"], body["reject"])
    except ContradictoryReview as exc:
        raise ApiError(422, "invalid_request", str(exc), exc.cells) from None
    except OutdatedReview as exc:
        raise ApiError(409, "review_outdated", str(exc), exc.cells) from None
    rooms = Services.of(request).hub.rooms
    async with rooms.holding(document_name(target_id, DocumentKind.CONTENT)) as room:
        await room.server_edit(lambda doc: merge_reviewed(doc, offer.incoming, review.rejected))
    return review


async def _upstream(request: Request, fork_id: str) -> Offer:
    found = await upstream(store_of(request), snapshot_of(request), fork_id)
    if found is None:
        raise ApiError(404, "not_a_fork", f"workshop {fork_id} was not forked from another")
    return found


async def get_upstream(request: Request) -> Response:
    access = await authorise(request, "owner")
    offer = await _upstream(request, access.workshop.id)
    return JSONResponse(
        {"parent": offer.source, "changes": [change_json(c) for c in offer.changes]}
    )


async def pull_upstream(request: Request) -> Response:
    access = await authorise(request, "owner")
    offer = await _upstream(request, access.workshop.id)
    review = await _merge(request, access.workshop.id, offer)
    await store_of(request).lineage.record_event(
        access.workshop.id,
        "pull",
        actor=access.role,
        accepted=review.accepted,
        rejected=review.rejected,
    )
    return JSONResponse({"accepted": review.accepted, "rejected": review.rejected})


async def list_proposals(request: Request) -> Response:
    """Each direct fork's changes on offer, cell by cell (forks with none are left out)."""
    access = await authorise(request, "owner")
    found = await proposals(store_of(request), snapshot_of(request), access.workshop.id)
    items = [
        {
            "fork": edge.child_id,
            "organisation": edge.organisation,
            "changes": [change_json(c) for c in offer.changes],
        }
        for edge, offer in found
    ]
    return JSONResponse({"items": items})


async def accept_proposal(request: Request) -> Response:
    access = await authorise(request, "owner")
    parent_id, fork_id = access.workshop.id, request.path_params["fork_id"]
    offer = await proposal(store_of(request), snapshot_of(request), parent_id, fork_id)
    if offer is None:
        raise ApiError(404, "not_found", f"workshop {fork_id} is not a fork of {parent_id}")
    review = await _merge(request, parent_id, offer)
    await store_of(request).lineage.record_event(
        fork_id, "proposal", actor=access.role, accepted=review.accepted, rejected=review.rejected
    )
    return JSONResponse({"accepted": review.accepted, "rejected": review.rejected})


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
    version = None if which == "now" else await _version(request, workshop_id, which)
    return await content_data(store_of(request), snapshot_of(request), workshop_id, version)


async def diff(request: Request) -> Response:
    access = await authorise(request)
    source, target = request.query_params.get("from"), request.query_params.get("to", "now")
    if not source:
        raise ApiError(400, "invalid_request", "from= (a version id) is required")
    before = await _content_data(request, access.workshop.id, source)
    after = await _content_data(request, access.workshop.id, target)
    changes = [
        {"cell": found.cell, "from": found.before, "to": found.after}
        for found in differences(before, after)
    ]
    return JSONResponse({"from": source, "to": target, "changes": changes})


async def restore_version(request: Request) -> Response:
    access = await authorise(request, "editor")
    version = await _version(request, access.workshop.id, request.path_params["version_id"])
    target = await content_data(
        store_of(request), snapshot_of(request), access.workshop.id, version
    )
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
