"""HTML pages. The workshop page lays out every text of the content document with its label;
the browser client (`web/client/workshop.js`, bundled by `scripts/setup`) turns each into a live
editor."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from collab.admission import Denied
from documents.access import DocumentKind, can_write
from documents.labels import (
    EVALUATION_SECTIONS,
    MODEL_SECTIONS,
    PATH_SECTIONS,
    PERSPECTIVES,
    TOPICS,
    label,
)
from documents.store import Store
from documents.workshop_doc import matrix_key
from web.api import TOKEN_COOKIE, Services, presented_token

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

INDEX = """<!doctype html>
<html lang="fi"><head><meta charset="utf-8"><title>Verstas</title></head>
<body><main><h1>Verstas</h1>
<p>Yhteiskehittämisen työtila. Collaborative documents are served at
<code>/collab/&lt;name&gt;</code> over the Yjs websocket protocol; the API is described at
<a href="/api/openapi.json">/api/openapi.json</a>.</p></main></body></html>
"""


async def index(request: Request) -> Response:
    return HTMLResponse(INDEX)


def _sections(part: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"field": f"{part}/{key}", "label": label(key)} for key in keys]


def _matrix() -> dict[str, Any]:
    """Topics as rows, perspectives as columns, as the guide draws the matrix."""
    return {
        "corner": f"{label('topic')} / {label('perspective')}",
        "perspectives": [{"label": label(p)} for p in PERSPECTIVES],
        "rows": [
            {
                "label": label(topic),
                "cells": [
                    {
                        "field": f"matrix/{matrix_key(perspective, topic)}",
                        "label": f"{label(perspective)}: {label(topic)}",
                    }
                    for perspective in PERSPECTIVES
                ],
            }
            for topic in TOPICS
        ],
    }


# The parts in the order the page shows them: the model first, as the exports do.
PAGE_PARTS: Final = (
    ("model", MODEL_SECTIONS),
    ("matrix", ()),
    ("path", PATH_SECTIONS),
    ("evaluation", EVALUATION_SECTIONS),
)


def _parts() -> list[dict[str, Any]]:
    return [
        {
            "key": part,
            "label": label(part),
            "english": label(part, "en"),
            "sections": _sections(part, keys),
        }
        for part, keys in PAGE_PARTS
    ]


async def workshop_page(request: Request) -> Response:
    """A share link lands here with `?token=`: the token moves into a cookie for the API."""
    token = request.query_params.get("token") or presented_token(request)
    try:
        access = await Services.of(request).access.workshop(
            request.path_params["workshop_id"], token
        )
    except Denied as exc:
        # The reason names the workshop id from the URL: escaped, or the path could inject HTML.
        return HTMLResponse(
            f"<!doctype html><title>Verstas</title><p>{exc.status}: {html.escape(exc.reason)}</p>",
            status_code=exc.status,
        )
    workshop = access.workshop
    details = [
        (label("place"), workshop.place),
        (label("municipality"), workshop.municipality),
        (label("funder"), workshop.funder),
        (label("programme"), workshop.programme),
    ]
    store: Store = request.state.store
    edge = await store.lineage.parent(workshop.id)
    parent = await store.workshops.get(edge.parent_id) if edge is not None else None
    response = templates.TemplateResponse(
        request,
        "workshop.html",
        {
            "workshop": workshop,
            "details": [(text, value) for text, value in details if value],
            "role": access.role,
            "can_write": access.role is not None and can_write(access.role, DocumentKind.CONTENT),
            "can_comment": access.role is not None
            and can_write(access.role, DocumentKind.COMMENTS),
            # The page's socket presents the same token (y-websocket's `params`).
            "token": token if access.role is not None else None,
            "origin": edge,
            # A private parent shows in the note by its link only, as in the lineage graph.
            "origin_title": parent.title if parent is not None and parent.public else None,
            "parts": _parts(),
            "components_label": label("components"),
            "matrix": _matrix(),
        },
        headers={"Cache-Control": "no-store"},
    )
    if token and request.query_params.get("token"):
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="lax")
    return response


# The browser client's bundle, built from npm packages by `scripts/setup` (never committed).
STATIC = Path(__file__).parent / "static"

ROUTES = [
    Route("/", index),
    Route("/workshops/{workshop_id}", workshop_page, name="workshop_page"),
    Mount("/static", app=StaticFiles(directory=STATIC, check_dir=False), name="static"),
]
