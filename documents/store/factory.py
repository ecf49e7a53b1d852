"""Turn a database URL from settings into a Store, failing early on URLs that cannot work."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from documents.store.base import Store
from documents.store.sql import SqliteSynchronous, SqlStore

SUPPORTED_SCHEMES: Final = ("sqlite+aiosqlite", "postgresql+asyncpg")
_EXAMPLES: Final = (
    "sqlite+aiosqlite:///path/to/verstas.db or postgresql+asyncpg://user@host:5432/database"
)


def create_store(url: str, *, sqlite_synchronous: SqliteSynchronous = "FULL") -> Store:
    """The store for `url`, which `check_url` must accept."""
    check_url(url)
    return SqlStore(url, sqlite_synchronous=sqlite_synchronous)


def check_url(url: str) -> None:
    """Raise ValueError unless `url` can work: only async drivers, since the store runs on the
    loop, and an existing directory for a SQLite file.

    Errors never repeat the URL itself: it may carry a password.
    """
    parsed = _parse(url)
    if parsed.drivername not in SUPPORTED_SCHEMES:
        raise ValueError(
            f"unsupported database URL scheme {parsed.drivername!r}: "
            f"supported schemes are {', '.join(SUPPORTED_SCHEMES)} (e.g. {_EXAMPLES})"
        )
    if parsed.drivername == "sqlite+aiosqlite":
        _check_sqlite_directory(parsed)


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise ValueError(
            f"not a database URL: supported schemes are {', '.join(SUPPORTED_SCHEMES)} "
            f"(e.g. {_EXAMPLES})"
        ) from None


def _check_sqlite_directory(url: URL) -> None:
    """SQLite creates a missing file but not its directory, and then fails only on first use.

    An in-memory database is refused: the log must outlive the process, and each connection
    (the commit's writer thread has its own) would see a database of its own.
    """
    database = url.database
    if not database or database == ":memory:":
        raise ValueError("an in-memory SQLite database cannot keep the update log: give a file")
    if database.startswith("file:"):
        return
    directory = Path(database).parent
    if not directory.is_dir():
        raise ValueError(f"the directory of the SQLite database does not exist: {directory}")
