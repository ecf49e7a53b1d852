"""`verstas demo`: the example family in the database (documents.demo), straight from the
database like the other workshop commands; running it again changes nothing."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from documents.demo import ensure_demo
from documents.store.base import Store
from web.auth import SECRET_NAME, Tokens
from web.cli.common import DatabaseUrl, SecretKey, run
from web.settings import DEFAULT_DATABASE_URL


def demo_command(
    url: Annotated[
        str, typer.Option(help="Where the server answers, for the links it prints.")
    ] = "http://127.0.0.1:8000",
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
    secret_key: SecretKey = None,
) -> None:
    """Create the example family (a model, its adoption and an adoption of that, in Finnish)
    unless it is there; print the links to its pages."""

    async def work(store: Store) -> dict[str, Any]:
        family = await ensure_demo(store)
        key = secret_key or await store.workshops.secret(SECRET_NAME)
        tokens = Tokens(key)
        return {
            "created": bool(family.owners),
            "members": [
                {"title": member.title, "organisation": member.organisation, "id": member.id}
                for member in family.members
            ],
            "owner_tokens": [tokens.mint(owner) for owner in family.owners],
        }

    result = run(database_url, work)
    base = url.rstrip("/")
    root = result["members"][0]["id"]
    typer.echo("Created the example family." if result["created"] else "The example is there.")
    typer.echo(f"  the workshop:   {base}/workshops/{root}")
    typer.echo(f"  the family:     {base}/workshops/{root}/family")
    typer.echo(f"  the model:      {base}/workshops/{root}/model")
    for index, member in enumerate(result["members"]):
        typer.echo(f"  {member['organisation']}: {base}/workshops/{member['id']}")
        if result["owner_tokens"]:
            token = result["owner_tokens"][index]
            typer.echo(f"    owner link (keep it): {base}/workshops/{member['id']}?token={token}")
