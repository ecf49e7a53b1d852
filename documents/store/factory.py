"""The one place a database URL chooses its backend: the store, the URL's checks and how
migrations lock the database, per database (documents.store.sql.sqlite,
documents.store.sql.postgres), failing early on URLs that cannot work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Final, get_args

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection

from documents.store.base import Store
from documents.store.sql import postgres, sqlite
from documents.store.sql.sqlite import SqliteSynchronous

_EXAMPLES: Final = (
    "sqlite+aiosqlite:///path/to/verstas.db or postgresql+asyncpg://user@host:5432/database"
)


@dataclass(frozen=True, slots=True)
class Migration:
    """How migrations hold a database to themselves: the connection's arguments, and the
    statement that begins the transaction holding the lock."""

    connect_args: Mapping[str, object]
    begin: Callable[[AsyncConnection], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _Backend:
    check: Callable[[URL], None]
    store: Callable[[str, SqliteSynchronous], Store]
    migration: Migration


def _no_check(url: URL) -> None:
    """A server URL needs nothing checked before connecting."""


_BACKENDS: Final[Mapping[str, _Backend]] = {
    "sqlite+aiosqlite": _Backend(
        check=sqlite.check_url,
        store=lambda url, synchronous: sqlite.SqliteStore(url, synchronous=synchronous),
        migration=Migration(sqlite.MIGRATION_CONNECT_ARGS, sqlite.begin_migration),
    ),
    "postgresql+asyncpg": _Backend(
        check=_no_check,
        store=lambda url, _synchronous: postgres.PostgresStore(url),
        migration=Migration(postgres.MIGRATION_CONNECT_ARGS, postgres.begin_migration),
    ),
}
SUPPORTED_SCHEMES: Final = tuple(_BACKENDS)


def create_store(url: str, *, sqlite_synchronous: SqliteSynchronous = "FULL") -> Store:
    """The store for `url`, which `check_url` must accept."""
    check_url(url)
    # Checked at run time too: the value ends up in a PRAGMA and usually comes from settings.
    if sqlite_synchronous not in get_args(SqliteSynchronous):
        raise ValueError(f"sqlite_synchronous must be FULL or NORMAL, not {sqlite_synchronous!r}")
    return _backend(url).store(url, sqlite_synchronous)


def check_url(url: str) -> None:
    """Raise ValueError unless `url` can work: only async drivers, since the store runs on the
    loop, and whatever its database needs (an existing directory for a SQLite file).

    Errors never repeat the URL itself: it may carry a password.
    """
    _backend(url).check(_parse(url))


def migration(url: str) -> Migration:
    """How `verstas db upgrade` locks the database at `url`."""
    return _backend(url).migration


def _backend(url: str) -> _Backend:
    drivername = _parse(url).drivername
    backend = _BACKENDS.get(drivername)
    if backend is None:
        raise ValueError(
            f"unsupported database URL scheme {drivername!r}: "
            f"supported schemes are {', '.join(SUPPORTED_SCHEMES)} (e.g. {_EXAMPLES})"
        )
    return backend


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise ValueError(
            f"not a database URL: supported schemes are {', '.join(SUPPORTED_SCHEMES)} "
            f"(e.g. {_EXAMPLES})"
        ) from None
