"""`verstas workshop fork|versions|lineage|restore|pull` (registered in `web.cli.main`).

Forks, versions and lineage only add rows or read, so they work on the database directly.
Restores and pulls edit a live document, so they go through a running server (its API), which
applies them to the loaded room and broadcasts them: writing them to the log behind a server's
back would hide them from everyone connected.
"""

from __future__ import annotations

import asyncio
import json
from functools import partial
from typing import Annotated, Any

import httpx
import typer

from documents.family_graph import FamilyGraphs
from documents.lineage_service import fork, lineage, name_version
from documents.store.base import Store
from documents.workshop_service import stored_snapshot
from web.auth import SECRET_NAME, Tokens
from web.cli.common import DatabaseUrl, SecretKey, fail, run
from web.settings import DEFAULT_DATABASE_URL

Server = Annotated[
    str, typer.Option(envvar="VERSTAS_SERVER", help="Base URL of the running server.")
]
Token = Annotated[str, typer.Option(envvar="VERSTAS_TOKEN", help="A token of the needed role.")]


def _workshop_or_exit(found: Any, workshop_id: str) -> Any:
    if found is None:
        raise fail(f"no workshop {workshop_id}")
    return found


def fork_command(
    workshop_id: Annotated[str, typer.Argument(help="The workshop to adopt.")],
    organisation: Annotated[str, typer.Option(help="The adopting organisation.")],
    reason: Annotated[str, typer.Option(help="Why it is adopted.")],
    version: Annotated[str | None, typer.Option(help="Fork from this version.")] = None,
    by: Annotated[str | None, typer.Option(help="Who adopts it.")] = None,
    title: Annotated[
        str | None, typer.Option(help='The adoption\'s title; default "TITLE (ORGANISATION)".')
    ] = None,
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
    secret_key: SecretKey = None,
) -> None:
    """Adopt a workshop: a new one sharing its history; prints its id and owner token."""

    async def work(store: Store) -> dict[str, str] | str:
        parent = await store.workshops.get(workshop_id)
        if parent is None:
            return f"no workshop {workshop_id}"
        chosen = None
        if version is not None:
            chosen = await store.lineage.version(workshop_id, version)
            if chosen is None:
                return f"no version {version} in workshop {workshop_id}"
        child, owner = await fork(
            store,
            partial(stored_snapshot, store),
            parent,
            organisation=organisation,
            reason=reason,
            forked_by=by,
            version=chosen,
            title=title,
        )
        key = secret_key or await store.workshops.secret(SECRET_NAME)
        return {"id": child.id, "owner_token": Tokens(key).mint(owner)}

    result = run(database_url, work)
    if isinstance(result, str):
        raise fail(result)
    typer.echo(json.dumps(result))


def versions_command(
    workshop_id: Annotated[str, typer.Argument()],
    name: Annotated[str | None, typer.Option(help="Name a new version of the content now.")] = None,
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
) -> None:
    """List a workshop's versions, newest first (or name a new one with --name)."""

    async def work(store: Store) -> list[list[str]] | None:
        workshop = await store.workshops.get(workshop_id)
        if workshop is None:
            return None
        if name is not None:
            await name_version(store, partial(stored_snapshot, store), workshop, name, author="cli")
        return [
            [v.id, v.created_at.isoformat(timespec="seconds"), str(v.position), v.label]
            for v in await store.lineage.versions(workshop_id)
        ]

    rows = _workshop_or_exit(run(database_url, work), workshop_id)
    for row in rows:
        typer.echo("  ".join(row))


def lineage_command(
    workshop_id: Annotated[str, typer.Argument()],
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
) -> None:
    """The workshop's family (as JSON: root, nodes, edges, in_use)."""

    async def work(store: Store) -> dict[str, Any] | None:
        workshop = await store.workshops.get(workshop_id)
        if workshop is None:
            return None
        found = await lineage(store, partial(stored_snapshot, store), workshop, FamilyGraphs())
        answer: dict[str, Any] = json.loads(found.to_json())
        return answer

    typer.echo(json.dumps(_workshop_or_exit(run(database_url, work), workshop_id), indent=2))


def _call(server: str, token: str, method: str, path: str, body: Any = None) -> Any:
    async def send() -> httpx.Response:
        async with httpx.AsyncClient(base_url=server, timeout=60) as http:
            headers = {"Authorization": f"Bearer {token}"}
            return await http.request(method, path, json=body, headers=headers)

    try:
        response = asyncio.run(send())
    except httpx.HTTPError as exc:
        raise fail(f"cannot reach {server}: {exc}") from None
    data = response.json() if response.content else None
    if response.status_code >= 400:
        error = (data or {}).get("error", {})
        details = "".join(f"\n  {line}" for line in error.get("details", []))
        raise fail(f"{response.status_code} {error.get('message', response.text)}{details}")
    return data


def restore_command(
    workshop_id: Annotated[str, typer.Argument()],
    version: Annotated[str, typer.Argument(help="The version to restore.")],
    server: Server = "http://127.0.0.1:8000",
    token: Token = "",
) -> None:
    """Restore a version as a new change, through the running server (editor token)."""
    data = _call(server, token, "POST", f"/api/workshops/{workshop_id}/versions/{version}/restore")
    typer.echo(f"restored {data['version']}: {len(data['changed'])} cells changed")
    if data["before"] is not None:
        typer.echo(f"to undo it, restore version {data['before']['id']}")


def pull_command(
    workshop_id: Annotated[str, typer.Argument(help="The fork to update from upstream.")],
    accept: Annotated[list[str] | None, typer.Option(help="A cell to take (repeatable).")] = None,
    reject: Annotated[list[str] | None, typer.Option(help="A cell to keep (repeatable).")] = None,
    server: Server = "http://127.0.0.1:8000",
    token: Token = "",
) -> None:
    """Without --accept/--reject: show upstream changes. With them: pull (owner token)."""
    path = f"/api/workshops/{workshop_id}/upstream"
    if not accept and not reject:
        preview = _call(server, token, "GET", path)
        for change in preview["changes"]:
            typer.echo(f"{change['cell']}\n  fork:     {change['current']!r}")
            typer.echo(f"  upstream: {change['incoming']!r}")
        if not preview["changes"]:
            typer.echo("nothing new upstream")
        return
    body = {"accept": accept or [], "reject": reject or []}
    data = _call(server, token, "POST", f"{path}/pull", body)
    typer.echo(f"accepted {len(data['accepted'])}, rejected {len(data['rejected'])}")
