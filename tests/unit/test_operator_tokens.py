"""Operator tokens: signed, named, dated, and never mistaken for a share-link token."""

from __future__ import annotations

from datetime import UTC, datetime

from documents.records import LinkRecord
from web.auth import Tokens
from web.operator_auth import OperatorClaims, OperatorTokens

SECRET = "a server secret of some length"


def owner_link() -> LinkRecord:
    return LinkRecord(
        id="0123456789abcdef0123",
        workshop_id="3f9a0c1d2e4b5a6c7d8e",
        role="owner",
        created_at=datetime(2026, 11, 28, tzinfo=UTC),
        revoked_at=None,
    )


def test_a_token_reads_back_as_its_operator_and_expiry() -> None:
    tokens = OperatorTokens(SECRET)
    assert tokens.read(tokens.mint("aino", 1_900_000_000.0)) == OperatorClaims(
        "aino", 1_900_000_000.0
    )


def test_a_token_signed_with_another_secret_is_not_read() -> None:
    forged = OperatorTokens("another secret").mint("mallory", 1_900_000_000.0)
    assert OperatorTokens(SECRET).read(forged) is None


def test_share_link_and_operator_tokens_do_not_pass_for_each_other() -> None:
    share = Tokens(SECRET).mint(owner_link())
    operator = OperatorTokens(SECRET).mint("aino", 1_900_000_000.0)
    assert OperatorTokens(SECRET).read(share) is None
    assert Tokens(SECRET).read(operator) is None


def test_garbage_is_not_a_token() -> None:
    for garbage in ("", "garbage", "a.b", "e30.AAAA"):
        assert OperatorTokens(SECRET).read(garbage) is None
