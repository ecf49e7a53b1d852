"""HTML pages. The workshop page is a plain summary until the browser editor arrives."""

from __future__ import annotations

import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from collab.admission import Denied
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
        ("Toteutuspaikka", workshop.place),
        ("Paikkakunta, maakunta tai hyvinvointialue", workshop.municipality),
        ("Rahoittaja", workshop.funder),
        ("Kokonaisuus", workshop.programme),
    ]
    response = templates.TemplateResponse(
        request,
        "workshop.html",
        {"workshop": workshop, "details": details, "role": access.role},
    )
    if token and request.query_params.get("token"):
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="lax")
    return response


ROUTES = [
    Route("/", index),
    Route("/workshops/{workshop_id}", workshop_page, name="workshop_page"),
]
