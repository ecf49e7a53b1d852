"""`verstas workshop ...`: workshops straight from the database, without a running server.

Safe beside a running server on the same database: creating and importing only add rows, and
an export reads the committed log (what a server has accepted is committed before anyone saw
it, so the export holds everything any client has seen).
"""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from documents.export import InvalidExport, export_markdown
from documents.store.base import Store
from documents.workshop_service import (
    create_workshop,
    current_export,
    import_export,
    stored_snapshot,
)
from web import i18n
from web.auth import SECRET_NAME, Tokens
from web.cli.common import DatabaseUrl, SecretKey, fail, run
from web.settings import DEFAULT_DATABASE_URL

app = typer.Typer(help="Create, list, export and import workshops in the database directly.")


@app.command()
def create(
    title: Annotated[str, typer.Option(help="The workshop's title.")],
    organisation: Annotated[str, typer.Option(help="The owning municipality or organisation.")],
    description: Annotated[str, typer.Option()] = "",
    private: Annotated[bool, typer.Option(help="Readable only with a share link.")] = False,
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
    secret_key: SecretKey = None,
) -> None:
    """Create a workshop; prints its id and the owner token (keep the token secret)."""

    async def work(store: Store) -> dict[str, Any]:
        fields = {
            "title": title,
            "organisation": organisation,
            "description": description,
            "visibility": "private" if private else "public",
        }
        workshop, owner = await create_workshop(store.workshops, fields)
        key = secret_key or await store.workshops.secret(SECRET_NAME)
        return {"id": workshop.id, "owner_token": Tokens(key).mint(owner)}

    typer.echo(json.dumps(run(database_url, work), ensure_ascii=False))


@app.command("list")
def list_(
    query: Annotated[str, typer.Argument(help="Words in the title or organisation.")] = "",
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
) -> None:
    """List workshops (private ones too: this reads the database as its operator)."""

    async def work(store: Store) -> list[list[str]]:
        found = await store.workshops.search(query, include_private=True, limit=1000)
        return [[w.id, w.visibility, w.organisation, w.title] for w in found]

    rows = run(database_url, work)
    if not rows:
        typer.echo("no workshops found", err=True)
        return
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        typer.echo(
            "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[3]])
        )


@app.command()
def export(
    workshop_id: Annotated[str, typer.Argument(help="The workshop's id.")],
    format_: Annotated[str, typer.Option("--format", help="json or md")] = "json",
    output: Annotated[Path | None, typer.Option(help="File to write; default stdout.")] = None,
    lang: Annotated[str, typer.Option(help="The Markdown's language: fi, sv or en.")] = "fi",
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
) -> None:
    """Export a workshop as JSON (importable) or Markdown."""
    if format_ not in ("json", "md"):
        raise fail("--format is json or md")
    language = i18n.parse_lang(lang)
    if language is None:
        raise fail("--lang is fi, sv or en")

    async def work(store: Store) -> str | None:
        workshop = await store.workshops.get(workshop_id)
        if workshop is None:
            return None
        data = await current_export(partial(stored_snapshot, store), workshop)
        if format_ == "md":
            return export_markdown(data, i18n.localiser(language))
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    text = run(database_url, work)
    if text is None:
        raise fail(f"no workshop {workshop_id}")
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="An export (JSON) to create a workshop from.")],
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
    secret_key: SecretKey = None,
) -> None:
    """Create a new workshop from an export; prints its id and owner token."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise fail(f"cannot read {file}: {exc}") from None

    async def work(store: Store) -> dict[str, Any]:
        workshop, owner = await import_export(store.workshops, data)
        key = secret_key or await store.workshops.secret(SECRET_NAME)
        return {"id": workshop.id, "owner_token": Tokens(key).mint(owner)}

    try:
        result = run(database_url, work)
    except InvalidExport as exc:
        raise fail(f"{file} is not a workshop export: {exc}") from None
    typer.echo(json.dumps(result, ensure_ascii=False))
