"""What every HTTP request and response goes through, before and after the routes."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.api.errors import ApiError, encodable, error_response
from web.api.schemas import refused_characters


def _refused_in_address(scope: Scope) -> list[str]:
    """The path and query as the routes will read them (decoded as Starlette decodes them)."""
    found = refused_characters("path", scope["path"])
    query = scope["query_string"].decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        where = f"query parameter {name!r}"
        found += refused_characters(where, name) or refused_characters(where, value)
    return found


class RefuseTextInAddress:
    """A path or query holding a character no text field takes (see web.api.schemas) is answered
    422 before any route reads it: NUL would reach PostgreSQL as a bound parameter, which it
    refuses, and bidirectional controls would be echoed into the pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _refused_in_address(scope) if scope["type"] == "http" else []
        if not found:
            await self.app(scope, receive, send)
            return
        response: Response
        if scope["path"].startswith("/api/"):
            message = "the address holds characters that are not allowed in text"
            response = error_response(ApiError(422, "invalid_request", message, found))
        else:
            response = PlainTextResponse(encodable("422: " + "; ".join(found)), status_code=422)
        await response(scope, receive, send)


class NoSniff:
    """`X-Content-Type-Options: nosniff` on every response: a download (an export holds what
    anyone wrote) is only ever what its Content-Type says, never sniffed into a page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Content-Type-Options"] = "nosniff"
            await send(message)

        await self.app(scope, receive, send_with_header)
