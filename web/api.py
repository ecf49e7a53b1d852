"""The JSON API: workshops and share links. Thin: validate, authorise, call the repository.

Every request body is validated against its schema in `schemas/` before anything else runs,
and every error has the one shape of `error.schema.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from collab.admission import Denied
from collab.hub import CollabHub
from documents.access import DocumentKind, Role, at_least, document_name
from documents.export import (
    InvalidExport,
    WorkshopExport,
    export_markdown,
)
from documents.records import ForkEdge, LinkRecord, WorkshopRecord
from documents.store.base import Store
from documents.store.workshops import Workshops
from documents.workshop_service import create_workshop, import_export, workshop_export
from web import i18n
from web.auth import Access, AccessResolver
from web.schemas import MAX_DEPTH, nested_deeper_than, request_problems

# Set by a workshop's page for that workshop's page and API paths only (see web.pages). Named
# anew when it was scoped: the name's older cookie, kept for every path, is never read again.
TOKEN_COOKIE = "verstas_workshop_token"
MAX_BODY_BYTES = 8 * 1024 * 1024
SAFE_METHODS = frozenset({"GET", "HEAD"})


class ApiError(Exception):
    """An error the client caused, with its HTTP status and a stable code."""

    def __init__(
        self, status: int, code: str, message: str, details: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def encodable(text: str) -> str:
    """Text as it can be sent: a refusal may quote a lone surrogate the client sent."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_response(error: ApiError) -> JSONResponse:
    body: dict[str, Any] = {
        "status": error.status,
        "code": error.code,
        "message": encodable(error.message),
    }
    if error.details:
        body["details"] = [encodable(line) for line in error.details]
    return JSONResponse({"error": body}, status_code=error.status)


_DENIED_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}


def denied(exc: Denied) -> ApiError:
    return ApiError(exc.status, _DENIED_CODES.get(exc.status, "refused"), exc.reason)


@dataclass(frozen=True, slots=True)
class Services:
    """What the handlers need from the app's lifespan state."""

    workshops: Workshops
    access: AccessResolver
    hub: CollabHub

    @staticmethod
    def of(request: Request) -> Services:
        return Services(request.state.store.workshops, request.state.access, request.state.collab)


def bearer_token(request: Request) -> str | None:
    """The token of `Authorization: Bearer …`, which only a caller who holds it can send."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def presented_token(request: Request) -> str | None:
    """`Authorization: Bearer …` first; when reading, the cookie the workshop page set.

    A browser sends the cookie with any request any page makes it send, forms posted from
    another port or subdomain of the same site included (SameSite does not tell those apart),
    so the cookie never authorises a write: writes need the bearer token, which the page's own
    client sends and no other page can know.
    """
    token = bearer_token(request)
    if token is not None or request.method not in SAFE_METHODS:
        return token
    return request.cookies.get(TOKEN_COOKIE) or None


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def read_body(request: Request, schema: str) -> dict[str, Any]:
    """The JSON body, validated. Only a body labelled `application/json` is read as JSON: a
    form can send anything else from another site without the browser asking first."""
    if _media_type(request) != "application/json":
        raise ApiError(415, "unsupported_media_type", "the body must be application/json")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"request bodies are limited to {MAX_BODY_BYTES} bytes")
    too_deep = ApiError(400, "invalid_json", f"the body nests deeper than {MAX_DEPTH} levels")
    try:
        body = json.loads(raw or b"null")
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:
        raise ApiError(400, "invalid_json", f"the body is not JSON: {exc}") from None
    if nested_deeper_than(body):
        raise too_deep
    found = request_problems(schema, body)
    if found:
        raise ApiError(422, "invalid_request", f"the body does not match {schema}", found)
    assert isinstance(body, dict)
    return body


async def authorise(request: Request, minimum: Role | None = None) -> Access:
    """The caller's access to the workshop in the path; `minimum` None means reading."""
    services = Services.of(request)
    try:
        access = await services.access.workshop(
            request.path_params["workshop_id"], presented_token(request)
        )
    except Denied as exc:
        raise denied(exc) from None
    if minimum is not None and (access.role is None or not at_least(access.role, minimum)):
        needed = f"the {minimum} role"
        raise ApiError(403, "forbidden", f"this needs {needed}; the token grants {access.role}")
    return access


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
    store: Store = request.state.store
    data["forked_from"] = forked_from_json(await store.lineage.parent(access.workshop.id))
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


async def export_data(request: Request, access: Access) -> WorkshopExport:
    workshop = access.workshop
    rooms = Services.of(request).hub.rooms
    content, _ = await rooms.snapshot(document_name(workshop.id, DocumentKind.CONTENT))
    comments, _ = await rooms.snapshot(document_name(workshop.id, DocumentKind.COMMENTS))
    return workshop_export(workshop, content, comments)


async def export_json(request: Request) -> Response:
    access = await authorise(request)
    return JSONResponse(
        await export_data(request, access),
        headers={"Content-Disposition": f'attachment; filename="{access.workshop.id}.json"'},
    )


async def export_md(request: Request) -> Response:
    """In `?lang=`'s language, or without it in the caller's (its cookie, Accept-Language)."""
    access = await authorise(request)
    asked = request.query_params.get("lang")
    if asked is not None and i18n.parse_lang(asked) is None:
        raise ApiError(400, "invalid_request", "lang is fi, sv or en")
    speaker = i18n.for_request(request)
    markdown = export_markdown(await export_data(request, access), speaker)
    return Response(
        markdown,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Language": speaker.lang},
    )


async def import_workshop_route(request: Request) -> Response:
    body = await read_body(request, "workshop-export")
    services = Services.of(request)
    try:
        workshop, owner = await import_export(services.workshops, body)
    except InvalidExport as exc:
        raise ApiError(422, "invalid_export", str(exc)) from None
    return created(services, workshop, owner)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation of the public contract: its handler and the schemas of what it exchanges.

    The OpenAPI description and the tests' response validation are both derived from this
    table, so the documented contract and the checked one cannot drift apart.
    """

    method: str
    path: str
    handler: Any
    summary: str
    request: str | None
    responses: dict[int, str | None]
    role: Role | None = None
    media_type: str = "application/json"
    # Needs an operator token, or a workshop owner's token that sees only its own workshop.
    operator: bool = False
    # The request body may be left out (an empty request): it only adds to what the path says.
    body_required: bool = True


ERRORS: dict[int, str | None] = {
    400: "error",
    401: "error",
    403: "error",
    404: "error",
    422: "error",
}
# What an operation that takes a JSON body may also answer.
BODY_ERRORS: dict[int, str | None] = {**ERRORS, 413: "error", 415: "error"}

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
    Endpoint(
        "GET",
        "/api/workshops/{workshop_id}/export.json",
        export_json,
        "The whole workshop as one JSON document (importable)",
        None,
        {200: "workshop-export", **ERRORS},
    ),
    Endpoint(
        "GET",
        "/api/workshops/{workshop_id}/export.md",
        export_md,
        "The operating model as a Markdown document to read or e-mail (?lang=fi|sv|en)",
        None,
        {200: None, **ERRORS},
        media_type="text/markdown",
    ),
    Endpoint(
        "POST",
        "/api/workshops/import",
        import_workshop_route,
        "Create a workshop from an export; the response carries the owner token",
        "workshop-export",
        {201: "workshop-created.response", **BODY_ERRORS},
    ),
]
