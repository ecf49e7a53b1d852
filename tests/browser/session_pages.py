"""What the browser tests of live Innopaja sessions do on a page: open pages in browsers of
their own (a phone's width, a clock set wrong, the session document's socket held back), read
the shared timer, and ask the server what it holds."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, WebSocketRoute, expect

from tests.support.browser import PageProblems
from tests.support.server import ServerProcess
from tests.support.sessions import LiveWorkshop

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CLOCK_TEXT = re.compile(r"^\d+:\d\d$")
# What the page reads of the session document's socket: the part of its URL after /collab/.
SESSION_SOCKET = re.compile(r".*/collab/[0-9a-f]+\.session(\?.*)?$")


class SessionPages:
    """Pages of one test, each in a browser context of its own (two people on two machines),
    closed at the end; the test fails if any had an uncaught error or logged one it did not
    `allow`."""

    def __init__(self, browser: Browser, server: ServerProcess) -> None:
        self.browser = browser
        self.server = server
        self.problems = PageProblems()
        self.allowed: list[str] = []
        self.contexts: list[BrowserContext] = []

    async def __aenter__(self) -> SessionPages:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for context in self.contexts:
            await context.close()
        if kind is None:
            found = [p for p in self.problems.found if not any(a in p for a in self.allowed)]
            assert found == []

    def allow(self, text: str) -> None:
        """A console error holding `text` is what the test provokes (a refused request)."""
        self.allowed.append(text)

    async def open(
        self,
        workshop_id: str,
        token: str | None,
        *,
        screen: bool = False,
        size: dict[str, int] = LAPTOP,
        clock: timedelta | None = None,
        hold_session: bool = False,
        lang: str | None = None,
    ) -> Page:
        """Open the workshop's page (or its shared screen) once it is ready. `clock`: the
        browser's clock is that far off; `hold_session`: the page's session document socket
        opens but never hears from the server (so the page knows no lock); `lang`: the page's
        language (otherwise the browser's, Finnish)."""
        # Reduced motion: "follow me" jumps instead of scrolling smoothly, so a test reads
        # where a page ended up, not where it is passing by.
        context = await self.browser.new_context(
            locale="fi-FI",
            viewport=size,  # type: ignore[arg-type]
            reduced_motion="reduce",
        )
        self.contexts.append(context)
        page = self.problems.watch(await context.new_page())
        if clock is not None:
            await page.clock.install(time=datetime.now() + clock)
        if hold_session:
            await page.route_web_socket(SESSION_SOCKET, hold)
        params = {"token": token, "lang": lang}
        query = "?" + "&".join(f"{k}={v}" for k, v in params.items() if v) if token or lang else ""
        path = "/screen" if screen else ""
        await page.goto(f"{self.server.http_url}/workshops/{workshop_id}{path}{query}")
        ready = page.locator("main#screen" if screen else "main#workshop")
        await expect(ready).to_have_attribute("data-ready", "true")
        return page

    async def open_link(self, url: str, size: dict[str, int] = LAPTOP) -> Page:
        """Open a share link (a participant link the console made) on a page of its own."""
        workshop_id, _, token = url.split("/workshops/")[1].partition("?token=")
        return await self.open(workshop_id, token, size=size)


def hold(route: WebSocketRoute) -> None:
    """A socket that the page opens and the server never answers."""


async def seconds_left(page: Page) -> int:
    """The time left the page shows on its timer (the strip's, or the shared screen's)."""
    timer = page.locator("#session-time, #screen-timer")
    await expect(timer).to_have_text(CLOCK_TEXT)
    minutes, seconds = (await timer.inner_text()).split(":")
    return int(minutes) * 60 + int(seconds)


async def server_seconds_left(live: LiveWorkshop) -> float:
    """The time left on the session's timer as the server has it now."""
    session: dict[str, Any] = (await live.api.get(live.path, token=live.facilitator)).json()
    timer = session["timer"]
    if not timer["running"]:
        return float(timer["remaining"]) / 1000
    return float(timer["ends_at"] - session["server_time"]) / 1000
