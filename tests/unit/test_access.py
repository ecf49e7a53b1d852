"""The role table of the issue, checked cell by cell."""

from __future__ import annotations

import pytest

from documents.access import (
    ROLES,
    DocumentKind,
    Role,
    at_least,
    can_write,
    document_name,
    parse_document_name,
)

C, M, S = DocumentKind.CONTENT, DocumentKind.COMMENTS, DocumentKind.SESSION

EXPECTED_WRITES: dict[Role, set[DocumentKind]] = {
    "viewer": set(),
    "commenter": {M},
    "participant": {C, M},
    "editor": {C, M},
    # The session document is the server's alone: nobody writes it over the socket.
    "facilitator": {C, M},
    "owner": {C, M},
}


@pytest.mark.parametrize("role", ROLES)
def test_who_writes_what(role: Role) -> None:
    assert {kind for kind in DocumentKind if can_write(role, kind)} == EXPECTED_WRITES[role]


def test_names_round_trip() -> None:
    for kind in DocumentKind:
        assert parse_document_name(document_name("w1a2", kind)) == ("w1a2", kind)
    assert document_name("w1a2", C) == "w1a2"
    assert document_name("w1a2", M) == "w1a2.comments"
    assert document_name("w1a2", S) == "w1a2.session"


def test_role_order() -> None:
    assert at_least("owner", "facilitator")
    assert at_least("editor", "editor")
    assert not at_least("commenter", "editor")
    assert at_least("participant", "commenter")
    assert not at_least("participant", "editor")
