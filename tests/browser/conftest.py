"""Browser fixtures: one server and one Chromium per module, a fresh browser context per page
(no shared storage, as two people on two machines)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from tests.support.api import ApiClient
from tests.support.browser import PageProblems, chromium
from tests.support.server import ServerProcess, running_server

# Pages wait for a live server; Playwright's default of 5 s is tight on a loaded 2-core machine.
expect.set_options(timeout=15_000)

OpenPage = Callable[[str, str | None], Awaitable[Page]]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServerProcess]:
    workdir: Path = tmp_path_factory.mktemp("browser")
    async with running_server(workdir, open_documents=False) as process:
        yield process


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


@pytest.fixture
def page_problems() -> PageProblems:
    """The errors of the pages a test opens (a test that provokes one says so)."""
    return PageProblems()


@pytest_asyncio.fixture(loop_scope="module")
async def open_page(
    browser: Browser, server: ServerProcess, page_problems: PageProblems
) -> AsyncIterator[OpenPage]:
    """Open a workshop's page with a token in a context of its own, once its editors are up;
    the test fails if any page had an uncaught error or logged one."""
    problems = page_problems
    contexts = []

    async def open_workshop(workshop_id: str, token: str | None) -> Page:
        context = await browser.new_context(locale="fi-FI")
        contexts.append(context)
        page = problems.watch(await context.new_page())
        query = f"?token={token}" if token else ""
        await page.goto(f"{server.http_url}/workshops/{workshop_id}{query}")
        await expect(page.locator("main#workshop")).to_have_attribute("data-ready", "true")
        return page

    yield open_workshop
    for context in contexts:
        await context.close()
    assert problems.found == []


async def new_workshop(server: ServerProcess, *roles: str) -> tuple[str, dict[str, str]]:
    """A workshop and a token per role (the owner's, and a share link for each of `roles`)."""
    async with ApiClient(server.http_url) as api:
        body = {"title": "Kotihoidon yöpartio", "organisation": "Kuopio"}
        created = (await api.post("/api/workshops", json=body)).json()
        tokens = {"owner": created["owner_token"]}
        for role in roles:
            path = f"/api/workshops/{created['id']}/links"
            link = await api.post(path, token=created["owner_token"], json={"role": role})
            tokens[role] = link.json()["token"]
    return created["id"], tokens
