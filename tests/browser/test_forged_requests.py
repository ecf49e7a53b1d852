"""Forged requests as a real browser sends them: a page on another port of the same host (the
same site, so SameSite=Lax cookies go along) posts forms to Verstas in its visitor's name."""

from __future__ import annotations

import asyncio
import contextlib
import html
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, expect

from tests.support.api import ApiClient
from tests.support.server import ServerProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")


@contextlib.asynccontextmanager
async def page_elsewhere(body: str) -> AsyncIterator[str]:
    """Another origin on this host, serving one page to every request; its URL."""
    page = body.encode()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        head += f"Content-Length: {len(page)}\r\nConnection: close\r\n\r\n"
        writer.write(head.encode() + page)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    finally:
        server.close()
        await server.wait_closed()


def auto_posted_form(action: str, fields: dict[str, str], enctype: str) -> str:
    inputs = "".join(
        f'<input name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in fields.items()
    )
    return (
        f'<form id="forged" method="post" enctype="{enctype}" action="{html.escape(action)}">'
        f"{inputs}</form><script>document.getElementById('forged').submit()</script>"
    )


async def test_a_page_elsewhere_cannot_write_with_the_visitors_cookie(
    browser: Browser, server: ServerProcess
) -> None:
    async with ApiClient(server.http_url) as api:
        body = {"title": "Salainen malli", "organisation": "Kuopio", "visibility": "private"}
        private = (await api.post("/api/workshops", json=body)).json()
    wid, owner = private["id"], private["owner_token"]
    fork = f"{server.http_url}/api/workshops/{wid}/fork"
    # text/plain sends `name=value`: this one arrives as {"organisation":…,"reason":"x=y"}.
    forged = auto_posted_form(fork, {'{"organisation":"Mallory","reason":"x': 'y"}'}, "text/plain")
    context = await browser.new_context(locale="fi-FI")
    try:
        victim = await context.new_page()
        await victim.goto(f"{server.http_url}/workshops/{wid}?token={owner}")
        await expect(victim.locator("main#workshop")).to_have_attribute("data-ready", "true")
        async with page_elsewhere(forged) as attacker:
            async with victim.expect_response(fork) as answered:
                await victim.goto(attacker)
            answer = await answered.value
    finally:
        await context.close()
    async with ApiClient(server.http_url) as api:
        lineage = (await api.get(f"/api/workshops/{wid}/lineage", token=owner)).json()
    assert answer.status == 401
    assert lineage["edges"] == []


async def test_the_front_page_form_works_from_the_front_page_only(
    browser: Browser, server: ServerProcess
) -> None:
    fields = {"title": "Väärennetty", "organisation": "Mallory", "visibility": "public"}
    forged = auto_posted_form(
        f"{server.http_url}/workshops", fields, "application/x-www-form-urlencoded"
    )
    context = await browser.new_context(locale="fi-FI")
    try:
        page = await context.new_page()
        async with page_elsewhere(forged) as attacker:
            async with page.expect_response(f"{server.http_url}/workshops") as answered:
                await page.goto(attacker)
            refused = await answered.value
        await page.goto(f"{server.http_url}/")
        await page.fill("#title", "Oikea työpaja")
        await page.fill("#organisation", "Kuopio")
        await page.click("form[action='/workshops'] button")
        await expect(page.locator("main#workshop")).to_have_attribute("data-ready", "true")
        await expect(page.locator("h1")).to_have_text("Oikea työpaja")
        await expect(page.locator("#role")).to_have_text("Rooli: omistaja")
    finally:
        await context.close()
    async with ApiClient(server.http_url) as api:
        found = (await api.get("/api/workshops", params={"q": "Väärennetty"})).json()["items"]
    assert refused.status == 403
    assert found == []
