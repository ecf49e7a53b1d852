"""One operation of the public contract, and the errors every operation may answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from documents.access import Role


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation of the public contract: its handler and the schemas of what it exchanges.

    The OpenAPI description and the tests' response validation are both derived from this
    table, so the documented contract and the checked one cannot drift apart.
    """

    method: str
    path: str
    handler: Any
    summary: str
    request: str | None
    responses: dict[int, str | None]
    role: Role | None = None
    media_type: str = "application/json"
    # Needs an operator token, or a workshop owner's token that sees only its own workshop.
    operator: bool = False
    # The request body may be left out (an empty request): it only adds to what the path says.
    body_required: bool = True


ERRORS: dict[int, str | None] = {
    400: "error",
    401: "error",
    403: "error",
    404: "error",
    422: "error",
}
# What an operation that takes a JSON body may also answer.
BODY_ERRORS: dict[int, str | None] = {**ERRORS, 413: "error", 415: "error"}
