"""The workshop page through a server crash: edits typed while the server is down wait in the
page (which asks before it is left), and arrive in the database once the server is back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog, expect

from tests.browser.conftest import new_workshop
from tests.browser.pages import shows, stored, type_at_end
from tests.support.browser import PageProblems
from tests.support.conditions import wait_for
from tests.support.server import running_server

pytestmark = pytest.mark.asyncio(loop_scope="module")

# While the server is away the provider retries: "connecting" at each attempt.
AWAY = re.compile("disconnected|connecting")


async def test_edits_typed_while_the_server_is_down_arrive_when_it_is_back(
    browser: Browser, tmp_path: Path
) -> None:
    field = "model/conditions"
    async with running_server(tmp_path, open_documents=False) as server:
        workshop_id, tokens = await new_workshop(server)
        context = await browser.new_context(locale="fi-FI")
        problems = PageProblems()
        page = problems.watch(await context.new_page())
        await page.goto(f"{server.http_url}/workshops/{workshop_id}?token={tokens['owner']}")
        main = page.locator("main#workshop")
        await expect(main).to_have_attribute("data-ready", "true")
        await type_at_end(page, field, "Ennen")

        async def holds(text: str) -> bool:
            content = await stored(server, workshop_id, tokens["owner"])
            return bool(content["model"]["conditions"] == text)

        await wait_for(lambda: holds("Ennen"), what="the first words committed")
        await server.kill()
        await expect(main).to_have_attribute("data-connection", AWAY)
        await expect(page.locator("#status")).to_contain_text("Yhteys katkesi")
        await type_at_end(page, field, " ja jälkeen")

        asked: list[str] = []

        async def stay(dialog: Dialog) -> None:
            asked.append(dialog.type)
            await dialog.dismiss()

        page.once("dialog", stay)
        await page.close(run_before_unload=True)
        await expect(main).to_have_attribute("data-connection", AWAY)
        assert asked == ["beforeunload"]

        await server.start()
        await expect(main).to_have_attribute("data-connection", "connected")
        await wait_for(lambda: holds("Ennen ja jälkeen"), what="the offline words committed")
        await shows(page, field, "Ennen ja jälkeen")
        page.on("dialog", stay)
        async with page.expect_event("close"):
            await page.close(run_before_unload=True)  # nothing unsent: it closes, unasked
        assert asked == ["beforeunload"]
        await context.close()
    # A refused or dropped socket logs a console error in Chromium: expected here.
    assert all("WebSocket" in problem for problem in problems.found)
