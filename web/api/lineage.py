"""Forks and lineage: adopting a workshop, its whole family, and the reviewed merges between
relatives - a fork pulling from upstream, an origin accepting a fork's proposal."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from collab.touched import DocumentIndex
from documents.access import DocumentKind, document_name
from documents.family_graph import FamilyGraphs
from documents.lineage_service import fork, lineage
from documents.merge import (
    CellChange,
    ContradictoryReview,
    OutdatedReview,
    Review,
    check_review,
    merge_reviewed,
)
from documents.offers import Offer, proposal, proposals, upstream
from web.api.body import read_body
from web.api.caller import authorise
from web.api.contract import BODY_ERRORS, ERRORS, Endpoint
from web.api.errors import ApiError
from web.api.services import Services, snapshot_of, store_of
from web.api.versions import version_or_404
from web.api.workshops import created


async def fork_workshop(request: Request) -> Response:
    """Anyone who may read a workshop may adopt it: openness."""
    access = await authorise(request)
    body = await read_body(request, "fork.request")
    version = None
    if "version" in body:
        version = await version_or_404(request, access.workshop.id, body["version"])
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
    revived = {cell: data for cell, data in offer.revivable.items() if cell in review.accepted}
    rooms = Services.of(request).hub.rooms
    async with rooms.holding(document_name(target_id, DocumentKind.CONTENT)) as room:
        await room.server_edit(
            lambda doc: merge_reviewed(doc, offer.incoming, review.rejected, revived)
        )
    return review


def located(state: bytes, update: bytes) -> set[str]:
    """Where an update's items sit in a state that holds them: how a review finds the
    components and ideas a source changed that the receiver declined earlier."""
    return DocumentIndex.from_state(state).paths_of(update)


async def _upstream(request: Request, fork_id: str) -> Offer:
    found = await upstream(store_of(request), snapshot_of(request), fork_id, located)
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
    found = await proposals(store_of(request), snapshot_of(request), access.workshop.id, located)
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
    offer = await proposal(store_of(request), snapshot_of(request), parent_id, fork_id, located)
    if offer is None:
        raise ApiError(404, "not_found", f"workshop {fork_id} is not a fork of {parent_id}")
    review = await _merge(request, parent_id, offer)
    await store_of(request).lineage.record_event(
        fork_id, "proposal", actor=access.role, accepted=review.accepted, rejected=review.rejected
    )
    return JSONResponse({"accepted": review.accepted, "rejected": review.rejected})


ENDPOINTS = [
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
