"""Who may do what to which document of a workshop: pure rules, no IO.

A workshop has three documents, each its own room: `{id}` (content), `{id}.comments` and
`{id}.session`. Reading is open on public workshops (the openness principle); writing depends on
the role a share link grants. The socket enforces these rules; the UI only mirrors them.

The session document is written by the server alone (what a live Innopaja session shows every
participant, see documents/live/): no role may write it over the socket, so a client's update
to it is refused like any other forbidden write. A participant (who joins an Innopaja by a
share link, with no account) may edit the content where it is not locked and comment; notes
and dot votes go through the HTTP API, where the server enforces their rules.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

Role = Literal["viewer", "commenter", "participant", "editor", "facilitator", "owner"]
ROLES: tuple[Role, ...] = ("viewer", "commenter", "participant", "editor", "facilitator", "owner")


class DocumentKind(Enum):
    CONTENT = "content"
    COMMENTS = "comments"
    SESSION = "session"


_SUFFIX = {DocumentKind.COMMENTS: ".comments", DocumentKind.SESSION: ".session"}

_EDITS = frozenset({DocumentKind.CONTENT, DocumentKind.COMMENTS})
_WRITES: dict[Role, frozenset[DocumentKind]] = {
    "viewer": frozenset(),
    "commenter": frozenset({DocumentKind.COMMENTS}),
    "participant": _EDITS,
    "editor": _EDITS,
    "facilitator": _EDITS,
    "owner": _EDITS,
}


def document_name(workshop_id: str, kind: DocumentKind) -> str:
    """The room (and update-log) name of one of a workshop's documents."""
    return workshop_id + _SUFFIX.get(kind, "")


def parse_document_name(name: str) -> tuple[str, DocumentKind]:
    """Split a room name into the workshop id and which of its documents it is."""
    for kind, suffix in _SUFFIX.items():
        if name.endswith(suffix):
            return name[: -len(suffix)], kind
    return name, DocumentKind.CONTENT


def can_write(role: Role, kind: DocumentKind) -> bool:
    return kind in _WRITES[role]


def at_least(role: Role, minimum: Role) -> bool:
    """Roles are ordered: each one may do everything the ones before it may."""
    return ROLES.index(role) >= ROLES.index(minimum)
