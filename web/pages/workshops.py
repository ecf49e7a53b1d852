"""HTML pages. The workshop page lays out every text of the content document with its label;
the browser client (`web/client/workshop.js`, bundled by `scripts/setup`) turns each into a live
editor."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from collab.admission import Denied, origin_allowed
from documents.access import DocumentKind, can_write
from documents.labels import (
    EVALUATION_SECTIONS,
    MODEL_SECTIONS,
    N_,
    PATH_SECTIONS,
    PERSPECTIVES,
    TOPICS,
)
from documents.store.base import Store
from documents.workshop_doc import matrix_key
from documents.workshop_service import create_workshop
from web import i18n
from web.api.body import MAX_BODY_BYTES
from web.api.caller import TOKEN_COOKIE, presented_token
from web.api.schemas import request_problems
from web.api.services import Services
from web.auth import Access
from web.i18n import Localiser

# Every page speaks the request's language (web/i18n.py): `_()`, `{% trans %}` and `i18n`.
templates = Jinja2Templates(
    directory=Path(__file__).parent / "templates", context_processors=[i18n.template_context]
)
i18n.install(templates.env)
# The browser client's bundle, built from npm packages by `scripts/setup` (never committed).
STATIC = Path(__file__).parent.parent / "static"
BUNDLE = STATIC / "build" / "workshop.js"


# The pages run only their own bundled script and talk only to their own origin (HTTP and
# websocket): a page holds its visitor's token, so an injected script must have nowhere to run
# nor to send it. Styles come from web/static/verstas.css; inline styles stay allowed because
# the editor binding colours remote carets with style attributes, and CodeMirror writes <style>
# elements where a browser lacks constructable stylesheets.
PAGE_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
}
# Under `no-referrer` a browser sends `Origin: null` with a form it posts, even to the page's own
# origin; the front page's form must show where it comes from (see create_from_form), and the
# page's address holds no secret, so its referrer goes to its own origin and nowhere else.
FRONT_PAGE_HEADERS: Final = {**PAGE_HEADERS, "Referrer-Policy": "same-origin"}


def bundle_version() -> str:
    """Changes whenever the bundle is rebuilt, so browsers never run a cached older client
    against a newer server (the page asks for `workshop.js?v=...`)."""
    try:
        return str(BUNDLE.stat().st_mtime_ns)
    except FileNotFoundError:
        return "missing"


SEARCH_LIMIT: Final = 50
FORM_FIELDS: Final = ("title", "organisation", "visibility")
# What the front page's form says about a field the schema refuses (the schema decides).
FORM_ERRORS: Final = {
    "title": N_("Give the workshop a name (at most 300 characters)."),
    "organisation": N_("Give the organisation (at most 300 characters)."),
    "visibility": N_("Choose who may read the workshop."),
}


async def index(request: Request) -> Response:
    """Find public workshops and start a new one: a page that works without JavaScript."""
    return await _index(request, {}, [])


async def _index(
    request: Request, form: dict[str, str], errors: list[str], status: int = 200
) -> Response:
    query = request.query_params.get("q", "").strip()
    found = await Services.of(request).workshops.search(query, limit=SEARCH_LIMIT)
    return templates.TemplateResponse(
        request,
        "index.html",
        {"query": query, "workshops": found, "form": form, "errors": errors},
        status_code=status,
        headers=FRONT_PAGE_HEADERS,
    )


def _from_own_page(request: Request) -> bool:
    """Whether the browser says the form was sent by one of this server's own pages: its
    `Origin`, or when it sends none its `Referer` (the front page's policy lets both through to
    its own origin). Without either nothing tells a forged post from a real one."""
    origin = request.headers.get("origin")
    if origin is None:
        referer = urlsplit(request.headers.get("referer", ""))
        if not referer.netloc:
            return False
        origin = f"{referer.scheme}://{referer.netloc}"
    allowed = Services.of(request).hub.allowed_origins
    return origin_allowed(origin, request.headers.get("host"), allowed)


async def create_from_form(request: Request) -> Response:
    """The new workshop's page, by its owner's link (a redirect, so a reload creates nothing).

    The one write that takes no token, so it is taken only from the server's own pages: a
    page elsewhere must not create workshops in a visitor's name, nor land them on one."""
    speaker = i18n.for_request(request)
    if not _from_own_page(request):
        return await _index(request, {}, [speaker.gettext("The form came from another site.")], 403)
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return await _index(request, {}, [speaker.gettext("The form is too large.")], 413)
    sent = parse_qs(raw.decode("utf-8", errors="replace"))
    form = {name: sent.get(name, [""])[0].strip() for name in FORM_FIELDS}
    found = request_problems("workshop-create.request", form)
    if found:
        refused = {line.split(":")[0] for line in found}
        errors = [speaker.gettext(FORM_ERRORS[name]) for name in FORM_FIELDS if name in refused]
        return await _index(request, form, errors, 422)
    services = Services.of(request)
    workshop, owner = await create_workshop(services.workshops, form)
    token = services.access.tokens.mint(owner)
    # `created`: the page greets its owner with the link that is the workshop's key.
    return RedirectResponse(f"/workshops/{workshop.id}?token={token}&created=1", status_code=303)


def _sections(part: str, keys: tuple[str, ...], speaker: Localiser) -> list[dict[str, str]]:
    return [{"field": f"{part}/{key}", "label": speaker.label(key)} for key in keys]


def _matrix(speaker: Localiser) -> dict[str, Any]:
    """Topics as rows, perspectives as columns, as the guide draws the matrix. Each cell
    names its perspective: a narrow screen shows one perspective at a time."""
    label = speaker.label
    return {
        "corner": f"{label('topic')} / {label('perspective')}",
        "perspectives": [{"key": p, "label": label(p)} for p in PERSPECTIVES],
        "rows": [
            {
                "label": label(topic),
                "cells": [
                    {
                        "field": f"matrix/{matrix_key(perspective, topic)}",
                        "label": f"{label(perspective)}: {label(topic)}",
                        "perspective": perspective,
                    }
                    for perspective in PERSPECTIVES
                ],
            }
            for topic in TOPICS
        ],
    }


# The page's parts, in the order its section navigation lists them: the model first, as the
# exports have it, then the needs and goals the work starts from (two texts of the development
# path, shown apart so they are found at once), the matrix, the rest of the path, the
# implementation and its evaluation, and the ideas of sessions. Each part is (key, title's
# label key or message, the path's or part's texts).
NEEDS_AND_GOALS: Final = ("needs", "goals")
PAGE_PARTS: Final = (
    ("model", "model", "model", MODEL_SECTIONS),
    ("needs", None, "path", NEEDS_AND_GOALS),
    ("matrix", "matrix", "matrix", ()),
    ("path", "path", "path", tuple(key for key in PATH_SECTIONS if key not in NEEDS_AND_GOALS)),
    ("evaluation", "evaluation", "evaluation", EVALUATION_SECTIONS),
    ("ideas", "ideas", "ideas", ()),
)
NEEDS_AND_GOALS_TITLE: Final = N_("Needs and goals")


def _parts(speaker: Localiser) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "label": speaker.label(title) if title else speaker.gettext(NEEDS_AND_GOALS_TITLE),
            "sections": _sections(root, keys, speaker),
        }
        for key, title, root, keys in PAGE_PARTS
    ]


# What a refused visitor is told, by the refusal's status: a title and what to do.
REFUSALS: Final = {
    401: (
        N_("This workshop is private"),
        N_("Open it with the link you were given: it carries your access."),
    ),
    403: (
        N_("This link no longer opens the workshop"),
        N_(
            "The link has been revoked, or it belongs to another workshop. "
            "Ask the workshop's owner for a new one."
        ),
    ),
    404: (
        N_("No such workshop"),
        N_("There is no workshop %(id)s. It may have been deleted, or the address is mistyped."),
    ),
}


def _refused(request: Request, refusal: Denied) -> Response:
    """A refusal as a page in the visitor's language; the workshop id from the URL goes into
    it as text, escaped like everything the templates show."""
    speaker = i18n.for_request(request)
    title, message = REFUSALS.get(refusal.status, REFUSALS[404])
    context = {
        "title": speaker.gettext(title),
        "message": speaker.gettext(message) % {"id": request.path_params["workshop_id"]},
    }
    return templates.TemplateResponse(
        request, "refused.html", context, status_code=refusal.status, headers=PAGE_HEADERS
    )


def _owner_link(request: Request, workshop_id: str, token: str | None, role: str | None) -> str:
    """Right after creating a workshop, its owner sees the link that is its key, to copy."""
    if role != "owner" or token is None or not request.query_params.get("created"):
        return ""
    return f"{request.base_url}workshops/{workshop_id}?token={token}"


async def visit(request: Request, page: str) -> tuple[Access, str | None] | Response:
    """Who opens one of a workshop's pages (`page`: its path after the workshop's), with which
    token; or the answer instead of the page. A share link lands here with `?token=`: the
    token moves into the workshop's cookie and the browser is sent back without it (as /admin
    does), so the token stays out of the address bar, the history and screenshots; the page
    then reads it from the cookie."""
    given = request.query_params.get("token")
    token = given or presented_token(request)
    try:
        access = await Services.of(request).access.workshop(
            request.path_params["workshop_id"], token
        )
    except Denied as exc:
        return _refused(request, exc)
    if given:
        # Everything else the address carries stays (the language, the owner's "created").
        kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
        landed = RedirectResponse(
            f"/workshops/{access.workshop.id}{page}" + (f"?{kept}" if kept else ""),
            status_code=303,
        )
        _keep_token(request, landed, access.workshop.id, given)
        return landed
    return access, token


async def workshop_page(request: Request) -> Response:
    """The workshop's page: every text of its content with its label, which the browser
    client turns into live editors."""
    visited = await visit(request, "")
    if isinstance(visited, Response):
        return visited
    access, token = visited
    workshop = access.workshop
    speaker = i18n.for_request(request)
    details = [
        (speaker.label("place"), workshop.place),
        (speaker.label("municipality"), workshop.municipality),
        (speaker.label("funder"), workshop.funder),
        (speaker.label("programme"), workshop.programme),
    ]
    store: Store = request.state.store
    edge = await store.lineage.parent(workshop.id)
    parent = await store.workshops.get(edge.parent_id) if edge is not None else None
    return templates.TemplateResponse(
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
            "origin_parent": parent if parent is not None and parent.public else None,
            "parts": _parts(speaker),
            "matrix": _matrix(speaker),
            "owner_link": _owner_link(request, workshop.id, token, access.role),
            "bundle_version": bundle_version(),
        },
        headers=PAGE_HEADERS,
    )


def _keep_token(request: Request, response: Response, workshop_id: str, token: str) -> None:
    """The share link's token as a cookie for this workshop's page and API paths only: a
    browser holds one per workshop it was given a link to, and sends none of them anywhere
    else, so a link to one workshop never stands in for the visitor on another's pages."""
    for path in (f"/workshops/{workshop_id}", f"/api/workshops/{workshop_id}"):
        response.set_cookie(
            TOKEN_COOKIE,
            token,
            path=path,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


async def screen_page(request: Request) -> Response:
    """The shared screen of the workshop's live Innopaja session, for a room's projector: the
    phase, a large timer, the revealed notes and the vote results, from the session document
    (`web/client/screen.js`); no controls. Anyone who may read the workshop may open it."""
    visited = await visit(request, "/screen")
    if isinstance(visited, Response):
        return visited
    access, token = visited
    return templates.TemplateResponse(
        request,
        "screen.html",
        {
            "workshop": access.workshop,
            # The page's socket presents the same token (y-websocket's `params`).
            "token": token if access.role is not None else None,
            "bundle_version": bundle_version(),
        },
        headers=PAGE_HEADERS,
    )


ROUTES = [
    Route("/", index),
    Route("/workshops", create_from_form, methods=["POST"]),
    Route("/workshops/{workshop_id}", workshop_page, name="workshop_page"),
    Route("/workshops/{workshop_id}/screen", screen_page, name="screen_page"),
    Mount("/static", app=StaticFiles(directory=STATIC, check_dir=False), name="static"),
]
