"""`verstas operator-token`: a token for the admin view, minted from the server's own secret.

It reads the secret where the server does (`--secret-key`, or the key kept in the database),
so the token is honoured by every node of the deployment without configuring any of them.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Annotated

import typer

from documents.store.base import Store
from web.auth import SECRET_NAME
from web.cli.common import DatabaseUrl, SecretKey, run
from web.operator_auth import OperatorTokens
from web.settings import DEFAULT_DATABASE_URL

DAY = 86400


def operator_token(
    name: Annotated[str, typer.Option(help="Who the token is for; the server's logs name them.")],
    days: Annotated[
        int, typer.Option(min=1, max=366, help="How many days the token is honoured.")
    ] = 30,
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
    secret_key: SecretKey = None,
) -> None:
    """Print an operator token for /admin and /api/admin/nodes as JSON (keep the token secret)."""

    async def stored_key(store: Store) -> str:
        return await store.workshops.secret(SECRET_NAME)

    key = secret_key or run(database_url, stored_key)
    expires_at = int(time.time()) + days * DAY
    token = OperatorTokens(key).mint(name, expires_at)
    expiry = datetime.fromtimestamp(expires_at, UTC).isoformat()
    typer.echo(json.dumps({"operator": name, "expires_at": expiry, "token": token}))
