"""The OpenAPI 3.1 description of the JSON API, derived from `web.api.endpoints.ENDPOINTS`."""

from __future__ import annotations

from typing import Any

from web.api.endpoints import ENDPOINTS
from web.api.schemas import all_schemas, schema_id
from web.api.session_common import PERSON_PARAMETER

_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No content",
    400: "Malformed JSON, or nested deeper than 32 levels",
    401: "Missing or invalid token",
    403: "Not allowed with this token",
    404: "No such workshop",
    409: "Refused by the current state (the error's code and message say which rule)",
    413: "The body is larger than 8 MiB",
    415: "The body is not labelled Content-Type: application/json",
    422: "The body does not match its schema, or a text in the body or the address holds NUL, "
    "a lone surrogate or a bidirectional control character (U+202A-U+202E, U+2066-U+2069)",
}


def openapi_document() -> dict[str, Any]:
    """Paths reference the schema files by their `$id`; the schemas are embedded too."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        operation: dict[str, Any] = {"summary": endpoint.summary, "responses": {}}
        if endpoint.operator:
            operation["security"] = [{"operatorToken": []}, {"shareLinkToken": []}]
            operation["description"] = (
                "Needs an operator token (`verstas operator-token`) or a workshop owner's "
                "token, which sees only that workshop's documents."
            )
        elif endpoint.role is not None or "{workshop_id}" in endpoint.path:
            operation["security"] = [{}, {"shareLinkToken": []}]
        if endpoint.role is not None:
            operation["description"] = f"Needs a token of the {endpoint.role} role."
        if endpoint.request is not None:
            operation["requestBody"] = {
                "required": endpoint.body_required,
                "content": {"application/json": {"schema": {"$ref": schema_id(endpoint.request)}}},
            }
        for status, schema in endpoint.responses.items():
            response: dict[str, Any] = {"description": _STATUS_TEXT.get(status, "")}
            if schema is not None:
                response["content"] = {"application/json": {"schema": {"$ref": schema_id(schema)}}}
            operation["responses"][str(status)] = response
        parameters: list[dict[str, Any]] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in (
                "workshop_id",
                "link_id",
                "version_id",
                "fork_id",
                "session_id",
                "note_id",
                "vote_id",
            )
            if "{" + name + "}" in endpoint.path
        ]
        if "{session_id}/notes" in endpoint.path or "{vote_id}" in endpoint.path:
            parameters.append(PERSON_PARAMETER)
        if parameters:
            operation["parameters"] = parameters
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Verstas API",
            "version": "1",
            "description": "Workshops and share links, and the operators' view of each node. "
            "The documents themselves are synced over the Yjs websocket protocol at "
            "/collab/{document}. A write (any method but GET) takes its token only as "
            "`Authorization: Bearer`: the cookie the workshop page sets is honoured for reading "
            "alone. Request bodies are JSON sent as `Content-Type: application/json`.",
        },
        "paths": paths,
        "components": {
            "schemas": {sid.split("/")[-2]: schema for sid, schema in all_schemas().items()},
            "securitySchemes": {
                "shareLinkToken": {"type": "http", "scheme": "bearer"},
                "operatorToken": {"type": "http", "scheme": "bearer"},
            },
        },
    }
