"""The operators' admin view as a page (`/admin`); what it shows and who may look, it shares
with the JSON view (`web.admin_view`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from collab.admission import Denied
from documents.labels import N_
from web import i18n
from web.admin_view import reports, viewer_of
from web.api.caller import bearer_token
from web.pages.workshops import PAGE_HEADERS, templates

ADMIN_COOKIE = "verstas_admin_token"
REFRESH_CHOICES = (0, 10, 30, 60)
# What the page tells a refused visitor, by status (the JSON answer keeps the exact reason).
REFUSALS = {
    401: N_("The admin view needs an operator token or a workshop owner's token."),
    403: N_(
        "This token does not open the admin view: only operators and workshop owners may look."
    ),
}
KIND_NAMES = {"content": N_("content"), "comments": N_("comments"), "session": N_("session")}


def _refresh(value: str | None) -> int:
    return next((choice for choice in REFRESH_CHOICES if str(choice) == value), 0)


async def admin_page(request: Request) -> Response:
    """`?token=` is taken once: it moves into an HttpOnly cookie scoped to this page and the
    browser is sent back without it, so the token stays out of history and of reloads."""
    given = request.query_params.get("token")
    token = given or request.cookies.get(ADMIN_COOKIE) or bearer_token(request)
    refresh = _refresh(request.query_params.get("refresh"))
    try:
        viewer = await viewer_of(request, token)
    except Denied as exc:
        refusal = i18n.for_request(request).gettext(REFUSALS.get(exc.status, REFUSALS[403]))
        return templates.TemplateResponse(
            request,
            "admin.html",
            {"denied": exc, "refusal": refusal},
            status_code=exc.status,
            headers=PAGE_HEADERS,
        )
    if given:
        response = RedirectResponse(
            "/admin" + (f"?refresh={refresh}" if refresh else ""), status_code=303
        )
        response.set_cookie(
            ADMIN_COOKIE,
            given,
            path="/admin",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response
    context = {
        "viewer": viewer,
        "nodes": await reports(request, viewer),
        "refresh": refresh,
        "choices": REFRESH_CHOICES,
        "kind_names": KIND_NAMES,
    }
    # The pages' policy (web.pages): the view runs no script, and sends nothing anywhere.
    return templates.TemplateResponse(request, "admin.html", context, headers=PAGE_HEADERS)


ROUTES = [Route("/admin", admin_page, name="admin_page")]
