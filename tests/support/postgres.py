"""The PostgreSQL server the tests share: its URL, or a skip (never under CI) when it is absent."""

from __future__ import annotations

import functools
import os
import socket

import pytest
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get(
    "VERSTAS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


@functools.cache
def _unreachable_reason() -> str | None:
    """Only an unreachable server may skip: a reachable but misconfigured one must fail loudly."""
    url = make_url(POSTGRES_URL)
    host, port = url.host or "localhost", url.port or 5432
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as error:
        return f"PostgreSQL at {host}:{port} is unreachable ({error})"


def postgres_url() -> str:
    """The shared database's URL; tests never drop or truncate anything in it."""
    reason = _unreachable_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true requires it (set VERSTAS_TEST_POSTGRES_URL)")
        pytest.skip(f"{reason}; set VERSTAS_TEST_POSTGRES_URL or start PostgreSQL")
    return POSTGRES_URL
