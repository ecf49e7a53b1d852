"""Versions: named (or made automatically when a workshop falls quiet), listed, exported as
they stood, compared cell by cell, and restored as a new change."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from documents.access import DocumentKind, document_name
from documents.diff import differences
from documents.lineage_service import content_data, export_at, name_version
from documents.records import VersionRecord
from documents.restore import restore
from documents.workshop_doc import ContentData
from web.api.body import read_body
from web.api.caller import authorise
from web.api.contract import BODY_ERRORS, ERRORS, Endpoint
from web.api.errors import ApiError
from web.api.services import Services, snapshot_of, store_of


def version_json(version: VersionRecord) -> dict[str, Any]:
    return {
        "id": version.id,
        "label": version.label,
        "author": version.author,
        "automatic": version.automatic,
        "position": version.position,
        "created_at": version.created_at.isoformat(),
    }


async def version_or_404(request: Request, workshop_id: str, version_id: str) -> VersionRecord:
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
    version = await version_or_404(request, access.workshop.id, request.path_params["version_id"])
    return JSONResponse(await export_at(store_of(request), access.workshop, version))


async def _content_data(request: Request, workshop_id: str, which: str) -> ContentData:
    """The content at a version id, or `now`."""
    version = None if which == "now" else await version_or_404(request, workshop_id, which)
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
    version = await version_or_404(request, access.workshop.id, request.path_params["version_id"])
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


ENDPOINTS = [
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
