"""The versions, forks and lineage part of the JSON API (same conventions as `web.api`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from documents.access import DocumentKind
from documents.lineage_service import Snapshot, content_at, fork, lineage, name_version
from documents.store import Store
from documents.store.lineage import VersionRecord
from documents.workshop_doc import seed_update
from documents.workshop_service import workshop_export
from web.api import ERRORS, ApiError, Endpoint, Services, authorise, created, read_body

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
    )
    return created(Services.of(request), workshop, owner)


async def get_lineage(request: Request) -> Response:
    access = await authorise(request)
    found = await lineage(store_of(request), snapshot_of(request), access.workshop)
    return JSONResponse(
        {"root": found.root, "nodes": found.nodes, "edges": found.edges, "in_use": found.in_use}
    )


ENDPOINTS = [
    Endpoint(
        "POST",
        "/api/workshops/{workshop_id}/versions",
        create_version,
        "Name a version of the content as it is now",
        "version-create.request",
        {201: "version.response", **ERRORS},
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
        {201: "workshop-created.response", **ERRORS},
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
