"""Versions: named (or made automatically when a workshop falls quiet), listed, exported as
they stood, compared cell by cell, and restored as a new change; every new version and restore
noticed to the pages (documents.version_notice)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import structlog
from pycrdt import Doc
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from collab.hub import CollabHub
from documents.access import DocumentKind, document_name
from documents.diff import differences
from documents.lineage_service import (
    content_data,
    export_at,
    name_version,
    version_before_restore,
    version_kind,
)
from documents.records import VersionRecord
from documents.restore import restore
from documents.version_notice import note_restore, note_version
from documents.workshop_doc import ContentData
from web.api.body import read_body, read_optional_body
from web.api.caller import authorise
from web.api.contract import BODY_ERRORS, ERRORS, Endpoint
from web.api.errors import ApiError
from web.api.services import Services, snapshot_of, store_of

log = structlog.get_logger(__name__)


def version_json(version: VersionRecord) -> dict[str, Any]:
    return {
        "id": version.id,
        "label": version.label,
        "author": version.author,
        "automatic": version.automatic,
        "kind": version_kind(version),
        "position": version.position,
        "created_at": version.created_at.isoformat(),
    }


async def tell_pages(hub: CollabHub, workshop_id: str, note: Callable[[Doc[Any]], None]) -> None:
    """Write the "versions changed" notice (documents.version_notice) into the workshop's
    comments document, live for every page. Only a notice: what it tells of is stored already,
    so a failure is logged and pages see the change when they next list the versions."""
    name = document_name(workshop_id, DocumentKind.COMMENTS)
    try:
        async with hub.rooms.holding(name) as room:
            await room.server_edit(note)
    except Exception as exc:
        log.warning("versions_notice_failed", workshop=workshop_id, error=repr(exc))


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
        author=body.get("author"),
    )
    await tell_pages(
        Services.of(request).hub, access.workshop.id, partial(note_version, version_id=version.id)
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
    """Restore a version as a new change. The content it replaces becomes an automatic version
    first (unless the latest version already reads so), taken and replaced while the room is
    held, so that restoring that version undoes this restore."""
    access = await authorise(request, "editor")
    body = await read_optional_body(request, "restore.request")
    version = await version_or_404(request, access.workshop.id, request.path_params["version_id"])
    store = store_of(request)
    target = await content_data(store, snapshot_of(request), access.workshop.id, version)
    changed: list[str] = []

    def edit(doc: Any) -> None:
        changed.extend(restore(doc, target))

    hub = Services.of(request).hub
    name = document_name(access.workshop.id, DocumentKind.CONTENT)
    async with hub.rooms.holding(name) as room:
        now, position = await snapshot_of(request)(name)
        before = await version_before_restore(
            store, access.workshop, now, position, target, author=body.get("author")
        )
        await room.server_edit(edit)

    def notice(comments: Doc[Any]) -> None:
        if before is not None:
            note_version(comments, before.id)
        note_restore(comments)

    log.info(
        "version_restored",
        workshop=access.workshop.id,
        version=version.id,
        before=None if before is None else before.id,
        cells=len(changed),
    )
    if changed or before is not None:
        await tell_pages(hub, access.workshop.id, notice)
    return JSONResponse(
        {
            "version": version.id,
            "changed": changed,
            "before": None if before is None else version_json(before),
        }
    )


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
        "Restore a version as a new change, live for everyone connected; history is kept, and "
        "the content it replaces becomes an automatic version (`before`) unless the latest "
        "version reads the same. The body (the name the new version is signed with) may be "
        "left out.",
        "restore.request",
        {200: "restore.response", **BODY_ERRORS},
        "editor",
        body_required=False,
    ),
]
