"""Workshops: create, search, read, change and delete them (their metadata; the documents are
synced over the websocket protocol)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from collab.admission import Denied
from documents.access import DocumentKind, Role, document_name
from documents.records import ForkEdge, LinkRecord, WorkshopRecord
from documents.workshop_service import create_workshop
from web.api.body import read_body
from web.api.caller import authorise, bearer_token
from web.api.contract import BODY_ERRORS, ERRORS, Endpoint
from web.api.errors import ApiError
from web.api.services import Services, store_of


def workshop_json(workshop: WorkshopRecord, role: Role | None) -> dict[str, Any]:
    return {
        "id": workshop.id,
        "title": workshop.title,
        "organisation": workshop.organisation,
        "description": workshop.description,
        "visibility": workshop.visibility,
        "place": workshop.place,
        "municipality": workshop.municipality,
        "funder": workshop.funder,
        "programme": workshop.programme,
        "created_at": workshop.created_at.isoformat(),
        "updated_at": workshop.updated_at.isoformat(),
        "documents": {kind.value: document_name(workshop.id, kind) for kind in DocumentKind},
        "role": role,
    }


def forked_from_json(edge: ForkEdge | None) -> dict[str, Any] | None:
    """A fork's note of its origin: the lineage edge to its parent."""
    if edge is None:
        return None
    return {
        "workshop": edge.parent_id,
        "organisation": edge.organisation,
        "reason": edge.reason,
        "forked_at": edge.created_at.isoformat(),
        "parent_version": edge.parent_version_id,
        "by": edge.forked_by,
    }


async def create_workshop_route(request: Request) -> Response:
    body = await read_body(request, "workshop-create.request")
    services = Services.of(request)
    workshop, owner = await create_workshop(services.workshops, body)
    return created(services, workshop, owner)


def created(
    services: Services,
    workshop: WorkshopRecord,
    owner: LinkRecord,
    origin: ForkEdge | None = None,
) -> Response:
    data = workshop_json(workshop, "owner")
    if origin is not None:
        data["forked_from"] = forked_from_json(origin)
    data["owner_token"] = services.access.tokens.mint(owner)
    return JSONResponse(data, status_code=201)


async def list_workshops(request: Request) -> Response:
    services = Services.of(request)
    token = bearer_token(request)
    private_ids: list[str] = []
    token_role: tuple[str, Role] | None = None
    if token is not None:
        claims = services.access.tokens.read(token)
        if claims is not None:
            try:
                access = await services.access.workshop(claims.workshop_id, token)
            except Denied:
                access = None
            if access is not None and access.role is not None:
                private_ids.append(access.workshop.id)
                token_role = (access.workshop.id, access.role)
    found = await services.workshops.search(
        request.query_params.get("q", "").strip(), private_ids=private_ids
    )
    items = [
        workshop_json(w, token_role[1] if token_role and token_role[0] == w.id else None)
        for w in found
    ]
    return JSONResponse({"items": items})


async def get_workshop(request: Request) -> Response:
    access = await authorise(request)
    data = workshop_json(access.workshop, access.role)
    edge = await store_of(request).lineage.parent(access.workshop.id)
    data["forked_from"] = forked_from_json(edge)
    return JSONResponse(data)


async def update_workshop(request: Request) -> Response:
    access = await authorise(request, "owner")
    body = await read_body(request, "workshop-update.request")
    services = Services.of(request)
    updated = await services.workshops.update(access.workshop.id, body)
    if updated is None:
        raise ApiError(404, "not_found", f"no workshop {access.workshop.id}")
    services.hub.workshop_changed(updated.id)
    return JSONResponse(workshop_json(updated, access.role))


async def delete_workshop(request: Request) -> Response:
    access = await authorise(request, "owner")
    services = Services.of(request)
    links = await services.workshops.links(access.workshop.id)
    await services.workshops.delete(access.workshop.id)
    services.hub.workshop_changed(access.workshop.id)
    for link in links:
        services.hub.revoke_link(link.id)
    return Response(status_code=204)


ENDPOINTS = [
    Endpoint(
        "POST",
        "/api/workshops",
        create_workshop_route,
        "Create a workshop; the response carries the owner token",
        "workshop-create.request",
        {201: "workshop-created.response", **BODY_ERRORS},
    ),
    Endpoint(
        "GET",
        "/api/workshops",
        list_workshops,
        "Search workshops by title and organisation (?q=); private ones only with their token",
        None,
        {200: "workshop-list.response", **ERRORS},
    ),
    Endpoint(
        "GET",
        "/api/workshops/{workshop_id}",
        get_workshop,
        "A workshop's metadata and the caller's role",
        None,
        {200: "workshop", **ERRORS},
    ),
    Endpoint(
        "PATCH",
        "/api/workshops/{workshop_id}",
        update_workshop,
        "Change title, organisation, description, visibility or metadata",
        "workshop-update.request",
        {200: "workshop", **BODY_ERRORS},
        "owner",
    ),
    Endpoint(
        "DELETE",
        "/api/workshops/{workshop_id}",
        delete_workshop,
        "Delete a workshop; every share link is revoked and its sockets closed",
        None,
        {204: None, **ERRORS},
        "owner",
    ),
]
