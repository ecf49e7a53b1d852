"""A Python Yjs client: pycrdt's `Provider` over httpx-ws, exactly as pycrdt-websocket uses it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from httpx_ws import aconnect_ws
from pycrdt import Doc, Provider
from pycrdt.websocket.websocket import HttpxWebsocket


@contextlib.asynccontextmanager
async def python_client(
    http_url: str, document: str, doc: Doc[Any] | None = None, *, token: str | None = None
) -> AsyncIterator[Doc[Any]]:
    """A connected, synced pycrdt document; `http_url` like http://127.0.0.1:PORT."""
    doc = doc if doc is not None else Doc()
    websocket: Any
    query = f"?token={token}" if token else ""
    async with (
        aconnect_ws(f"{http_url}/collab/{document}{query}") as websocket,
        Provider(doc, HttpxWebsocket(websocket, document)) as provider,
    ):
        await provider.synced.wait()
        yield doc
