"""The pages of a model and its family: `/workshops/{id}/model`, the operating model as a
document to read, print and share (no JavaScript needed, adopting included), and
`/workshops/{id}/family`, the lineage graph and the members side by side (the browser client
`web/client/family.js` draws it from the lineage and family APIs). Also the front page's
"show an example" (documents.demo).

Both pages take a share link's `?token=` as the workshop page does: into the workshop's
cookie, and the browser sent back to the address without it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, Final
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab.admission import Denied
from documents.access import DocumentKind, document_name
from documents.demo import ensure_demo
from documents.family_compare import FIXED_CELLS, PARTS
from documents.family_graph import FamilyGraph, FamilyGraphs
from documents.labels import MODEL_SECTIONS, N_, PERSPECTIVES, TOPICS
from documents.lineage_service import family_graph, fork
from documents.store.base import Store
from documents.workshop_doc import ContentData, content_to_data, load_document
from web import i18n
from web.api.body import MAX_BODY_BYTES
from web.api.schemas import request_problems
from web.api.services import Services
from web.auth import Access
from web.i18n import Localiser
from web.pages.workshops import (
    PAGE_HEADERS,
    STATIC,
    _from_own_page,
    _refused,
    templates,
    visit,
)

FAMILY_BUNDLE: Final = "/static/build/family.js"
ADOPT_FIELDS: Final = ("organisation", "reason", "title")
ADOPT_ERRORS: Final = {
    "organisation": N_("Give the adopting organisation (at most 300 characters)."),
    "reason": N_("Say why you adopt the model (at most 5,000 characters)."),
    "title": N_("The title may have at most 300 characters."),
}


async def _landing(request: Request, page: str) -> tuple[Access, str | None] | Response:
    """`visit` for the family's pages, which pass the token on only to a reader with a role."""
    visited = await visit(request, page)
    if isinstance(visited, Response):
        return visited
    access, token = visited
    return access, (token if access.role is not None else None)


def in_use(graph: FamilyGraph, workshop_id: str) -> int:
    """How many live adoptions there are below the workshop (adoptions of adoptions too)."""
    children: dict[str, list[str]] = defaultdict(list)
    for child, parent in graph.parents.items():
        children[parent].append(child)
    count, frontier = 0, [workshop_id]
    while frontier:
        below = [child for member in frontier for child in children[member]]
        count += sum(1 for child in below if graph.statuses.get(child) != "deleted")
        frontier = below
    return count


def _model(speaker: Localiser, content: ContentData) -> dict[str, Any]:
    """The operating model's sections in the order the guide presents a model."""
    sections = [
        {"key": key, "label": speaker.label(key), "text": content["model"][key]}
        for key in MODEL_SECTIONS
        if key not in ("name", "short_description")
    ]
    evaluation = [
        {"key": key, "label": speaker.label(key), "text": content["evaluation"][key]}
        for key in ("results", "adoption_decision")
    ]
    return {
        "name": content["model"]["name"],
        "short": content["model"]["short_description"],
        "sections": sections,
        "components": content["components"],
        "evaluation": evaluation,
    }


async def model_page(request: Request) -> Response:
    landed = await _landing(request, "/model")
    if isinstance(landed, Response):
        return landed
    return await _model_page(request, *landed, form={}, errors=[])


async def _model_page(
    request: Request,
    access: Access,
    token: str | None,
    *,
    form: dict[str, str],
    errors: list[str],
    status: int = 200,
) -> Response:
    workshop = access.workshop
    speaker = i18n.for_request(request)
    store: Store = request.state.store
    rooms = Services.of(request).hub.rooms
    state, _ = await rooms.snapshot(document_name(workshop.id, DocumentKind.CONTENT))
    content = content_to_data(load_document(DocumentKind.CONTENT, state))
    graphs: FamilyGraphs = request.state.family_graphs
    graph = await family_graph(store, workshop.id, graphs)
    model = _model(speaker, content)
    title = model["name"] or workshop.title
    description = model["short"] or workshop.description
    details = [
        (speaker.label("organisation"), workshop.organisation),
        (speaker.label("place"), workshop.place),
        (speaker.label("municipality"), workshop.municipality),
        (speaker.label("funder"), workshop.funder),
        (speaker.label("programme"), workshop.programme),
        (speaker.label("updated"), speaker.date(workshop.updated_at)),
    ]
    return templates.TemplateResponse(
        request,
        "model.html",
        {
            "workshop": workshop,
            "model": model,
            "title": title,
            "description": description,
            "details": [(text, value) for text, value in details if value],
            # The address to share: never with a token, whatever the reader came with.
            "canonical": f"{request.base_url}workshops/{workshop.id}/model",
            "og_locale": {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}[speaker.lang],
            "in_use": in_use(graph, workshop.id),
            "token": token,
            "form": form,
            "errors": errors,
        },
        status_code=status,
        headers=PAGE_HEADERS,
    )


async def adopt_from_form(request: Request) -> Response:
    """Adopt the model from its page without JavaScript: the new workshop's page by its owner
    link, as the front page's form creates one. Taken only from the server's own pages; a
    private model's reader proves access with the token the page put in the form (the cookie
    never authorises a write)."""
    speaker = i18n.for_request(request)
    raw = await request.body()
    sent = parse_qs(raw.decode("utf-8", errors="replace")) if len(raw) <= MAX_BODY_BYTES else {}
    token = sent.get("token", [""])[0] or None
    try:
        access = await Services.of(request).access.workshop(
            request.path_params["workshop_id"], token
        )
    except Denied as exc:
        return _refused(request, exc)
    form = {name: sent.get(name, [""])[0].strip() for name in ADOPT_FIELDS}
    if not _from_own_page(request):
        refusal = [speaker.gettext("The form came from another site.")]
        return await _model_page(request, access, token, form={}, errors=refusal, status=403)
    body = {name: value for name, value in form.items() if value or name != "title"}
    found = request_problems("fork.request", body)
    if found:
        refused = {line.split(":")[0] for line in found}
        problems = [speaker.gettext(ADOPT_ERRORS[n]) for n in ADOPT_FIELDS if n in refused]
        return await _model_page(request, access, token, form=form, errors=problems, status=422)
    services = Services.of(request)
    child, owner = await fork(
        request.state.store,
        services.hub.rooms.snapshot,
        access.workshop,
        organisation=body["organisation"],
        reason=body["reason"],
        forked_by=None,
        title=body.get("title"),
    )
    owner_token = services.access.tokens.mint(owner)
    return RedirectResponse(f"/workshops/{child.id}?token={owner_token}&created=1", status_code=303)


def _cell_labels(speaker: Localiser) -> dict[str, str]:
    label = speaker.label
    labels = {
        f"{part}/{key}": label(key)
        for part in ("model", "path", "evaluation")
        for key in (cell.split("/", 1)[1] for cell in FIXED_CELLS[part])
    }
    for perspective in PERSPECTIVES:
        for topic in TOPICS:
            labels[f"matrix/{perspective}.{topic}"] = f"{label(perspective)}: {label(topic)}"
    return labels


async def family_page(request: Request) -> Response:
    landed = await _landing(request, "/family")
    if isinstance(landed, Response):
        return landed
    access, token = landed
    speaker = i18n.for_request(request)
    labels = {
        "parts": {part: speaker.label(part) for part in PARTS},
        "cells": _cell_labels(speaker),
        "components": speaker.label("components"),
    }
    return templates.TemplateResponse(
        request,
        "family.html",
        {
            "workshop": access.workshop,
            "token": token,
            "labels": json.dumps(labels, ensure_ascii=False)
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026"),
            "bundle": FAMILY_BUNDLE,
            "bundle_version": family_bundle_version(),
        },
        headers=PAGE_HEADERS,
    )


def family_bundle_version() -> str:
    """Changes whenever the bundle is rebuilt (see `web.pages.workshops.bundle_version`)."""
    try:
        return str((STATIC / "build" / "family.js").stat().st_mtime_ns)
    except FileNotFoundError:
        return "missing"


async def show_example(request: Request) -> Response:
    """The front page's "show an example": the example family's root, made if need be.
    Taken only from the server's own pages, as creating a workshop is."""
    if not _from_own_page(request):
        refusal = i18n.for_request(request).gettext("The form came from another site.")
        return Response(refusal, status_code=403, media_type="text/plain; charset=utf-8")
    family = await ensure_demo(request.state.store)
    return RedirectResponse(f"/workshops/{family.root.id}", status_code=303)


ROUTES = [
    Route("/workshops/{workshop_id}/model", model_page, name="model_page"),
    Route("/workshops/{workshop_id}/adopt", adopt_from_form, methods=["POST"]),
    Route("/workshops/{workshop_id}/family", family_page, name="family_page"),
    Route("/example", show_example, methods=["POST"]),
]
