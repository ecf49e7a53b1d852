"""The workshop and share-link rows admission reads whenever a document is opened, as driver
queries (read through the store's ReadRows, documents.store.sql.rows): the same rows as
`SqlWorkshops.get` and `link`, the timestamps as text (`utc_text`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Dialect, String, bindparam, select

from documents.access import Role
from documents.records import LinkRecord, WorkshopRecord
from documents.store import tables
from documents.store.sql.rows import driver_query, utc_datetime, utc_text


class AdmissionQueries:
    """Both statements, compiled once for the store's database."""

    def __init__(self, dialect: Dialect) -> None:
        w, s = tables.workshops.c, tables.share_links.c
        key = bindparam("id", type_=String)
        workshop = select(
            w.id,
            w.title,
            w.organisation,
            w.description,
            w.visibility,
            w.place,
            w.municipality,
            w.funder,
            w.programme,
            utc_text(w.created_at),
            utc_text(w.updated_at),
        ).where(w.id == key, w.deleted_at.is_(None))
        link = select(
            s.id, s.workshop_id, s.role, utc_text(s.created_at), utc_text(s.revoked_at)
        ).where(s.id == key)
        self.workshop = driver_query(workshop, dialect)
        self.link = driver_query(link, dialect)


def workshop_record(row: Sequence[Any]) -> WorkshopRecord:
    return WorkshopRecord(
        id=row[0],
        title=row[1],
        organisation=row[2],
        description=row[3],
        visibility=row[4],
        place=row[5],
        municipality=row[6],
        funder=row[7],
        programme=row[8],
        created_at=utc_datetime(row[9]),
        updated_at=utc_datetime(row[10]),
    )


def link_record(row: Sequence[Any]) -> LinkRecord:
    identifier, workshop_id, role, created, revoked = row
    return LinkRecord(
        identifier,
        workshop_id,
        cast(Role, role),
        utc_datetime(created),
        utc_datetime(revoked) if revoked is not None else None,
    )
