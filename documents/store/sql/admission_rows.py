"""The workshop and share-link rows admission reads whenever a document is opened, as driver
queries (read through the store's ReadRows, documents.store.sql.rows): the same rows as
`SqlWorkshops.get` and `link`, the timestamps as text (`utc_text`). Both paths make their
records with the same functions, from a row by column name."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Column, Dialect, String, bindparam, select
from sqlalchemy.sql.elements import ColumnElement

from documents.access import Role
from documents.records import LinkRecord, WorkshopRecord
from documents.store import tables
from documents.store.sql.rows import driver_query, utc_text

Stamp = Callable[[Any], datetime]
"""How a timestamp column is read: `aware` for SQLAlchemy's datetimes, `utc_datetime` for the
text `utc_text` selects."""

_W, _S = tables.workshops.c, tables.share_links.c
_WORKSHOP_COLUMNS = (
    _W.id,
    _W.title,
    _W.organisation,
    _W.description,
    _W.visibility,
    _W.place,
    _W.municipality,
    _W.funder,
    _W.programme,
    _W.created_at,
    _W.updated_at,
)
_LINK_COLUMNS = (_S.id, _S.workshop_id, _S.role, _S.created_at, _S.revoked_at)
_STAMPS = frozenset({"created_at", "updated_at", "revoked_at"})


def _as_read(columns: Sequence[Column[Any]]) -> list[ColumnElement[Any]]:
    return [utc_text(c).label(c.name) if c.name in _STAMPS else c for c in columns]


class AdmissionQueries:
    """Both statements, compiled once for the store's database."""

    def __init__(self, dialect: Dialect) -> None:
        key = bindparam("id", type_=String)
        workshop = select(*_as_read(_WORKSHOP_COLUMNS)).where(_W.id == key, _W.deleted_at.is_(None))
        link = select(*_as_read(_LINK_COLUMNS)).where(_S.id == key)
        self.workshop = driver_query(workshop, dialect)
        self.link = driver_query(link, dialect)

    @staticmethod
    def workshop_row(row: Sequence[Any]) -> dict[str, Any]:
        """A row of `workshop` by column name."""
        return dict(zip((c.name for c in _WORKSHOP_COLUMNS), row, strict=True))

    @staticmethod
    def link_row(row: Sequence[Any]) -> dict[str, Any]:
        """A row of `link` by column name."""
        return dict(zip((c.name for c in _LINK_COLUMNS), row, strict=True))


def workshop_record(data: Mapping[Any, Any], stamp: Stamp) -> WorkshopRecord:
    """The record of a `workshops` row, by column name."""
    return WorkshopRecord(
        id=data["id"],
        title=data["title"],
        organisation=data["organisation"],
        description=data["description"],
        visibility=data["visibility"],
        place=data["place"],
        municipality=data["municipality"],
        funder=data["funder"],
        programme=data["programme"],
        created_at=stamp(data["created_at"]),
        updated_at=stamp(data["updated_at"]),
    )


def link_record(data: Mapping[Any, Any], stamp: Stamp) -> LinkRecord:
    """The record of a `share_links` row, by column name."""
    revoked = data["revoked_at"]
    return LinkRecord(
        id=data["id"],
        workshop_id=data["workshop_id"],
        role=cast(Role, data["role"]),
        created_at=stamp(data["created_at"]),
        revoked_at=stamp(revoked) if revoked is not None else None,
    )
