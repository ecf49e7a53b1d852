"""What the commands that work on the database share: its URL and the token key as options,
opening the store for one piece of work, and failing with a message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, TypeVar

import typer

from documents.store.base import Store
from documents.store.factory import create_store
from documents.store.schema import SchemaError

DatabaseUrl = Annotated[
    str, typer.Option(envvar="VERSTAS_DATABASE_URL", help="The server's database URL.")
]
SecretKey = Annotated[
    str | None,
    typer.Option(envvar="VERSTAS_SECRET_KEY", help="The server's token key, if it has one set."),
]
T = TypeVar("T")


@asynccontextmanager
async def opened(database_url: str) -> AsyncIterator[Store]:
    store = create_store(database_url)
    try:
        await store.open()
        yield store
    finally:
        await store.close()


def run(database_url: str, work: Callable[[Store], Awaitable[T]]) -> T:
    """Run `work` on the opened store; a database whose schema is not current is refused
    with the same message as `verstas serve` gives."""

    async def main() -> T:
        async with opened(database_url) as store:
            return await work(store)

    try:
        return asyncio.run(main())
    except SchemaError as exc:
        raise fail(str(exc)) from None


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)
