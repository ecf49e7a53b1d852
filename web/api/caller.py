"""Who is calling: the token a request presents, and the access it grants to the workshop in
the path."""

from __future__ import annotations

from starlette.requests import Request

from collab.admission import Denied
from documents.access import Role, at_least
from web.api.errors import ApiError, denied
from web.api.services import Services
from web.auth import Access

# Set by a workshop's page for that workshop's page and API paths only (see
# web.pages.workshops). Named anew when it was scoped: the name's older cookie, kept for every
# path, is never read again.
TOKEN_COOKIE = "verstas_workshop_token"
SAFE_METHODS = frozenset({"GET", "HEAD"})


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
