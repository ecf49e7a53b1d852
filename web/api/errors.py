"""The one shape of every API error (`error.schema.json`), and the refusals that become one."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from collab.admission import Denied


class ApiError(Exception):
    """An error the client caused, with its HTTP status and a stable code."""

    def __init__(
        self, status: int, code: str, message: str, details: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def encodable(text: str) -> str:
    """Text as it can be sent: a refusal may quote a lone surrogate the client sent."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_response(error: ApiError) -> JSONResponse:
    body: dict[str, Any] = {
        "status": error.status,
        "code": error.code,
        "message": encodable(error.message),
    }
    if error.details:
        body["details"] = [encodable(line) for line in error.details]
    return JSONResponse({"error": body}, status_code=error.status)


_DENIED_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}


def denied(exc: Denied) -> ApiError:
    return ApiError(exc.status, _DENIED_CODES.get(exc.status, "refused"), exc.reason)
