"""Exports and imports: a workshop as one JSON document (importable) or as Markdown to read,
and a new workshop from an export."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from documents.export import InvalidExport, WorkshopExport, export_markdown
from documents.workshop_service import current_export, import_export
from web import i18n
from web.api.body import read_body
from web.api.caller import authorise
from web.api.contract import BODY_ERRORS, ERRORS, Endpoint
from web.api.errors import ApiError
from web.api.services import Services, snapshot_of
from web.api.workshops import created
from web.auth import Access


async def export_data(request: Request, access: Access) -> WorkshopExport:
    return await current_export(snapshot_of(request), access.workshop)


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


ENDPOINTS = [
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
