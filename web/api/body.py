"""Reading a request's JSON body: labelled as JSON, bounded in size and depth, and valid
against its schema in `schemas/` before any handler looks at it."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from web.api.errors import ApiError
from web.api.schemas import MAX_DEPTH, nested_deeper_than, request_problems

MAX_BODY_BYTES = 8 * 1024 * 1024


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def read_body(request: Request, schema: str) -> dict[str, Any]:
    """The JSON body, validated. Only a body labelled `application/json` is read as JSON: a
    form can send anything else from another site without the browser asking first."""
    if _media_type(request) != "application/json":
        raise ApiError(415, "unsupported_media_type", "the body must be application/json")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"request bodies are limited to {MAX_BODY_BYTES} bytes")
    too_deep = ApiError(400, "invalid_json", f"the body nests deeper than {MAX_DEPTH} levels")
    try:
        body = json.loads(raw or b"null")
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:
        raise ApiError(400, "invalid_json", f"the body is not JSON: {exc}") from None
    if nested_deeper_than(body):
        raise too_deep
    found = request_problems(schema, body)
    if found:
        raise ApiError(422, "invalid_request", f"the body does not match {schema}", found)
    assert isinstance(body, dict)
    return body


async def read_optional_body(request: Request, schema: str) -> dict[str, Any]:
    """A body that may be left out altogether (an empty request with no Content-Type), as
    an empty object; any body sent is read as `read_body` reads it."""
    if "content-type" not in request.headers and not await request.body():
        return {}
    return await read_body(request, schema)
