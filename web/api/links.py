"""Share links: minted per role by the workshop's owner, listed, and revoked at once."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from documents.records import LinkRecord
from web.api.body import read_body
from web.api.caller import authorise
from web.api.contract import BODY_ERRORS, ERRORS, Endpoint
from web.api.errors import ApiError
from web.api.services import Services


def link_json(request: Request, link: LinkRecord) -> dict[str, Any]:
    token = Services.of(request).access.tokens.mint(link)
    return {
        "id": link.id,
        "role": link.role,
        "token": token,
        "url": str(request.url_for("workshop_page", workshop_id=link.workshop_id))
        + f"?token={token}",
        "created_at": link.created_at.isoformat(),
        "revoked_at": link.revoked_at.isoformat() if link.revoked_at else None,
    }


async def create_link(request: Request) -> Response:
    access = await authorise(request, "owner")
    body = await read_body(request, "link-create.request")
    link = await Services.of(request).workshops.create_link(access.workshop.id, body["role"])
    return JSONResponse(link_json(request, link), status_code=201)


async def list_links(request: Request) -> Response:
    access = await authorise(request, "owner")
    links = await Services.of(request).workshops.links(access.workshop.id)
    return JSONResponse({"items": [link_json(request, link) for link in links]})


async def revoke_link(request: Request) -> Response:
    access = await authorise(request, "owner")
    services = Services.of(request)
    link_id = request.path_params["link_id"]
    if not await services.workshops.revoke_link(access.workshop.id, link_id):
        raise ApiError(404, "not_found", f"no live share link {link_id} in this workshop")
    services.hub.revoke_link(link_id)
    return Response(status_code=204)


ENDPOINTS = [
    Endpoint(
        "POST",
        "/api/workshops/{workshop_id}/links",
        create_link,
        "Mint a share link for a role",
        "link-create.request",
        {201: "link.response", **BODY_ERRORS},
        "owner",
    ),
    Endpoint(
        "GET",
        "/api/workshops/{workshop_id}/links",
        list_links,
        "The workshop's share links, revoked ones included",
        None,
        {200: "link-list.response", **ERRORS},
        "owner",
    ),
    Endpoint(
        "DELETE",
        "/api/workshops/{workshop_id}/links/{link_id}",
        revoke_link,
        "Revoke a share link at once: sockets opened with it are closed with 4403",
        None,
        {204: None, **ERRORS},
        "owner",
    ),
]
