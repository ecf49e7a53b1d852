"""The HTML pages answer refusals as pages, with nothing from the URL rendered as markup."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.server import running_server


@pytest.mark.asyncio
async def test_an_unknown_workshop_page_escapes_the_id_from_the_url(tmp_path: Path) -> None:
    async with running_server(tmp_path, open_documents=False) as server, httpx.AsyncClient() as c:
        response = await c.get(
            f"{server.http_url}/workshops/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
        )
    assert response.status_code == 404
    assert "<img" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text
