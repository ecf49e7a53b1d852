"""The family side by side: one call answers the family page's comparison, read from the
store (documents.family_service)."""

from __future__ import annotations

import re
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from documents.family_compare import PARTS, is_valid_request
from documents.family_graph import FamilyGraphs, encode
from documents.family_service import MAX_MEMBERS, KeptCells, NotInFamily, compare
from documents.store.base import Store
from web.api.caller import authorise
from web.api.contract import ERRORS, Endpoint
from web.api.errors import ApiError

_ID: Final = re.compile(r"^[0-9a-f]{20}$")
MAX_CELLS: Final = 400


def _listed(request: Request, name: str, limit: int) -> list[str]:
    raw = request.query_params.get(name, "")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if len(items) > limit:
        raise ApiError(400, "invalid_request", f"{name}= lists at most {limit} items")
    return items


async def family_content(request: Request) -> Response:
    """`?members=ID,ID` (default: the root and its direct adoptions) and `?cells=` parts
    (model, matrix, path, evaluation) or cell paths (default: every part)."""
    access = await authorise(request)
    members = _listed(request, "members", MAX_MEMBERS)
    bad = [member for member in members if not _ID.match(member)]
    if bad:
        raise ApiError(400, "invalid_request", "members= lists workshop ids", bad)
    cells = _listed(request, "cells", MAX_CELLS) or list(PARTS)
    unknown = [cell for cell in cells if not is_valid_request(cell)]
    if unknown:
        raise ApiError(
            400, "invalid_request", f"cells= lists parts ({', '.join(PARTS)}) or cells", unknown
        )
    store: Store = request.state.store
    graphs: FamilyGraphs = request.state.family_graphs
    kept: KeptCells = request.state.family_cells
    try:
        found = await compare(store, graphs, kept, access.workshop, members or None, cells)
    except NotInFamily as exc:
        raise ApiError(422, "not_in_family", str(exc), exc.ids) from None
    # orjson: two hundred members' texts are about 2 MB of JSON (see documents.family_graph).
    return Response(encode(found.to_json()), media_type="application/json")


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/api/workshops/{workshop_id}/family/content",
        family_content,
        "Members of the family side by side (?members=ID,ID&cells=PART|CELL,...): each "
        "readable member's text per cell, marked with what it changed since its adoption; "
        "private and deleted members by their place only",
        None,
        {200: "family-content.response", **ERRORS},
    ),
]
