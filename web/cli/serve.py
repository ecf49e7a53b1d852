"""`verstas serve`: every option of the server, from the command line or the environment."""

from __future__ import annotations

from typing import Annotated

import typer

from web.settings import DEFAULT_DATABASE_URL, Settings, SqliteSynchronous, parse_limits


def serve(
    host: Annotated[str, typer.Option(envvar="VERSTAS_HOST", help="Interface to bind.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(envvar="VERSTAS_PORT", help="TCP port.")] = 8000,
    database_url: Annotated[
        str,
        typer.Option(
            envvar="VERSTAS_DATABASE_URL",
            help="sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST:PORT/DB",
        ),
    ] = DEFAULT_DATABASE_URL,
    sqlite_synchronous: Annotated[
        str,
        typer.Option(
            envvar="VERSTAS_SQLITE_SYNCHRONOUS",
            help="FULL survives power loss; NORMAL survives a killed process only.",
        ),
    ] = "FULL",
    commit_window_ms: Annotated[
        float,
        typer.Option(
            envvar="VERSTAS_COMMIT_WINDOW_MS",
            min=0.0,
            max=100.0,
            help="Under sustained load, how long a group commit waits to gather updates: "
            "longer costs less CPU per update and adds latency.",
        ),
    ] = 2.0,
    allowed_origins: Annotated[
        str,
        typer.Option(
            envvar="VERSTAS_ALLOWED_ORIGINS",
            help="Comma-separated Origin values browsers may also connect from, besides the "
            "server's own (an Origin whose host and port are the request's Host).",
        ),
    ] = "",
    limit: Annotated[
        list[str] | None,
        typer.Option(
            "--limit",
            envvar="VERSTAS_LIMITS",
            help="NAME=VALUE over a default limit (repeatable), e.g. max_document_bytes=1048576.",
        ),
    ] = None,
    open_documents: Annotated[
        bool,
        typer.Option(
            envvar="VERSTAS_OPEN_DOCUMENTS",
            help="Also serve any valid document name without a workshop (generic Yjs tools).",
        ),
    ] = False,
    secret_key: Annotated[
        str | None,
        typer.Option(
            envvar="VERSTAS_SECRET_KEY",
            help="Key that signs share-link tokens; default: generated once, kept in the database.",
        ),
    ] = None,
    auto_version_after: Annotated[
        float,
        typer.Option(
            envvar="VERSTAS_AUTO_VERSION_AFTER",
            help="Seconds without edits after which a workshop gets an automatic version.",
        ),
    ] = 600.0,
    redis_url: Annotated[
        str | None,
        typer.Option(
            envvar="VERSTAS_REDIS_URL",
            help="redis://HOST:PORT/DB to fan out between server processes sharing one "
            "PostgreSQL database; unset: this process serves every peer of its documents.",
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(envvar="VERSTAS_LOG_LEVEL")] = "info",
    node_id: Annotated[
        str | None,
        typer.Option(
            envvar="VERSTAS_NODE_ID",
            help="This process's name in the admin view; default: host name and port.",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API, the pages and the collaboration websockets on one port."""
    from web.server import run

    try:
        limits = parse_limits(limit or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--limit") from None
    synchronous = sqlite_synchronous.upper()
    if synchronous not in ("FULL", "NORMAL"):
        raise typer.BadParameter("must be FULL or NORMAL", param_hint="--sqlite-synchronous")
    mode: SqliteSynchronous = "FULL" if synchronous == "FULL" else "NORMAL"
    run(
        Settings(
            host=host,
            port=port,
            database_url=database_url,
            sqlite_synchronous=mode,
            commit_window=commit_window_ms / 1000,
            limits=limits,
            open_documents=open_documents,
            secret_key=secret_key,
            auto_version_after=auto_version_after,
            allowed_origins=frozenset(o.strip() for o in allowed_origins.split(",") if o.strip()),
            redis_url=redis_url or None,
            log_level=log_level,
            node_id=node_id,
        )
    )
