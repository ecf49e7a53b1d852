"""Debian's Chromium driven by Playwright, as the browser tests use it.

Playwright's own browser download cannot run here (the machine's network is closed to it), so
the tests drive the Chromium that `scripts/setup --browser` installs from Debian's packages.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright

CHROMIUM = Path(os.environ.get("VERSTAS_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# machine refuses; running as root needs --no-sandbox.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run scripts/setup --browser as root, or "
            "'apt-get install chromium', or set VERSTAS_CHROMIUM"
        )
    return CHROMIUM


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    executable = require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


class PageProblems:
    """Uncaught errors and console errors of the pages a test opened: a test fails on any."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self._expected: list[str] = []

    def expect(self, text: str) -> None:
        """A console error holding `text` is what the test provokes (a refused request, say):
        not a problem."""
        self._expected.append(text)

    def watch(self, page: Page) -> Page:
        def error(exc: Exception) -> None:
            self.found.append(f"{page.url}: {exc}")

        def console(message: ConsoleMessage) -> None:
            if message.type == "error" and not any(t in message.text for t in self._expected):
                self.found.append(f"{page.url}: console: {message.text}")

        page.on("pageerror", error)
        page.on("console", console)
        return page
