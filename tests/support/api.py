"""An HTTP client for the JSON API that validates every response against its schema.

The schema of each (endpoint, status) comes from `web.api.endpoints.ENDPOINTS`, the same table the
OpenAPI description is built from: a response that drifts from the contract fails the test
that received it.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from web.api.contract import Endpoint
from web.api.endpoints import ENDPOINTS
from web.api.schemas import problems

_PATTERNS = [
    (endpoint, re.compile("^" + re.sub(r"\{[a-z_]+\}", "[^/]+", endpoint.path) + "$"))
    for endpoint in ENDPOINTS
]


def endpoint_for(method: str, path: str) -> Endpoint:
    for endpoint, pattern in _PATTERNS:
        if endpoint.method == method and pattern.match(path):
            return endpoint
    raise AssertionError(f"{method} {path} is not an API endpoint")


class SchemaViolation(AssertionError):
    pass


class ApiClient:
    """httpx with a check: every API response body must match its documented schema."""

    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self.checked = 0

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def page(self, path: str, **kw: Any) -> httpx.Response:
        """A page (not the API) through the same client, so its cookies are kept and sent
        with later API calls, as a browser would."""
        return await self._http.get(path, **kw)

    async def submit(self, path: str, form: dict[str, str], **kw: Any) -> httpx.Response:
        """A page's form posted through the same client, as a browser posts it."""
        return await self._http.post(path, data=form, **kw)

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        **kw: Any,
    ) -> httpx.Response:
        sent = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self._http.request(
            method, path, headers={**sent, **(headers or {})}, json=json, **kw
        )
        endpoint = endpoint_for(method, path.split("?")[0])
        status = response.status_code
        if status not in endpoint.responses:
            raise SchemaViolation(f"{method} {path}: undocumented status {status}: {response.text}")
        schema = endpoint.responses[status]
        if schema is None and status < 300 and endpoint.media_type != "application/json":
            content_type = response.headers.get("content-type", "")
            if not content_type.startswith(endpoint.media_type):
                raise SchemaViolation(f"{method} {path}: {content_type}, not {endpoint.media_type}")
        elif schema is None:
            if response.content:
                raise SchemaViolation(f"{method} {path}: {status} should have no body")
        else:
            found = problems(schema, response.json())
            if found:
                raise SchemaViolation(f"{method} {path} -> {status} breaks {schema}: {found}")
        self.checked += 1
        return response

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("POST", path, **kw)

    async def patch(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("PATCH", path, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kw)
