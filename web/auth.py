"""Share-link tokens and what they grant, over HTTP and on the socket.

A token is the share link's id, workshop and role, signed with the server's secret (shared by
every node through the database). The signature makes tokens unforgeable; the link row makes
them revocable: a token is honoured only while its link exists, is not revoked and belongs to
the workshop it is used on. Public workshops need no token to be read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import cast

from itsdangerous import BadSignature, URLSafeSerializer

from collab.admission import Denied, Grant
from documents.access import ROLES, Role, can_write, parse_document_name
from documents.records import LinkRecord, WorkshopRecord
from documents.store.workshops import Workshops

SECRET_NAME = "share-link-signing-key"
_SALT = "verstas.share-link.v1"


@dataclass(frozen=True, slots=True)
class Claims:
    workshop_id: str
    link_id: str
    role: Role


class Tokens:
    """Minting and reading signed share-link tokens."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt=_SALT)

    def mint(self, link: LinkRecord) -> str:
        return self._serializer.dumps({"w": link.workshop_id, "l": link.id, "r": link.role})

    def read(self, token: str) -> Claims | None:
        """The claims of a genuine token; None for anything forged, altered or malformed."""
        try:
            data = self._serializer.loads(token)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        workshop, link, role = data.get("w"), data.get("l"), data.get("r")
        if not (isinstance(workshop, str) and isinstance(link, str) and role in ROLES):
            return None
        return Claims(workshop, link, cast(Role, role))


@dataclass(frozen=True, slots=True)
class Access:
    """What a request may do with one workshop: `role` None means anonymous reading."""

    workshop: WorkshopRecord
    role: Role | None
    link_id: str | None


class AccessResolver:
    """Turns (workshop, token) into an Access, or a Denied with the right HTTP status."""

    def __init__(
        self, workshops: Workshops, tokens: Tokens, *, open_documents: bool = False
    ) -> None:
        self._workshops = workshops
        self.tokens = tokens
        self._open_documents = open_documents

    async def workshop(self, workshop_id: str, token: str | None) -> Access:
        """404 for no such workshop; 401 for a missing or bad token where one is needed; 403
        for a revoked link or a token of another workshop."""
        workshop = await self._workshops.get(workshop_id)
        if workshop is None:
            raise Denied(404, f"no workshop {workshop_id}")
        return await self._access(workshop, token, self._workshops.link)

    async def _access(
        self,
        workshop: WorkshopRecord,
        token: str | None,
        find_link: Callable[[str], Awaitable[LinkRecord | None]],
    ) -> Access:
        if token is None:
            if workshop.public:
                return Access(workshop, None, None)
            raise Denied(401, "this workshop is private: a share-link token is needed")
        claims = self.tokens.read(token)
        if claims is None:
            raise Denied(401, "the token is not valid")
        if claims.workshop_id != workshop.id:
            raise Denied(403, "the token belongs to another workshop")
        link = await find_link(claims.link_id)
        if link is None or link.revoked_at is not None or link.workshop_id != workshop.id:
            raise Denied(403, "the share link was revoked")
        return Access(workshop, link.role, link.id)

    async def __call__(self, document: str, token: str | None) -> Grant:
        """The socket's question (see collab.admission). Asked for every connection, so rows
        read for an earlier one are reused for a few seconds (see Workshops.get_recent)."""
        workshop_id, kind = parse_document_name(document)
        workshop = await self._workshops.get_recent(workshop_id)
        if workshop is None:
            if self._open_documents:
                return Grant(can_write=True)
            raise Denied(404, f"no workshop {workshop_id}")
        access = await self._access(workshop, token, self._workshops.link_recent)
        role: Role = access.role or "viewer"
        return Grant(can_write=can_write(role, kind), role=role, link_id=access.link_id)
