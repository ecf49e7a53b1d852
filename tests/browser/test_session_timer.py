"""The shared timer of a live Innopaja session in Chromium: every page shows the server's time
left, within a second, whatever its own clock says, late joiners included; and screen readers
hear of it at sensible moments, not every second."""

from __future__ import annotations

import asyncio
import math
from datetime import timedelta

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.session_pages import SessionPages, seconds_left, server_seconds_left
from tests.support.api import ApiClient
from tests.support.axe import assert_accessible
from tests.support.server import ServerProcess
from tests.support.sessions import LiveWorkshop, live_workshop

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Counts what the page's live region for the session says, from now on.
COUNT_NEWS = """() => {
  const news = document.getElementById('session-news')
  window.sessionNews = []
  new MutationObserver(() => window.sessionNews.push(news.textContent))
    .observe(news, { childList: true, characterData: true, subtree: true })
}"""


async def agree(live: LiveWorkshop, pages: list[Page]) -> None:
    """Every page shows the server's time left within a second, read at once. A page shows
    whole seconds rounded up (599 while 598.2 are left), so a page within a second of the
    server shows at most the rounded-up bound."""
    before = await server_seconds_left(live)
    shown = await asyncio.gather(*(seconds_left(page) for page in pages))
    after = await server_seconds_left(live)
    low, high = math.ceil(after - 1), math.ceil(before + 1)
    assert all(low <= left <= high for left in shown), (before, shown, after)
    assert max(shown) - min(shown) <= 1, shown


async def test_pages_with_wrong_clocks_and_late_joiners_show_the_same_time_left(
    server: ServerProcess, browser: Browser
) -> None:
    async with ApiClient(server.http_url) as api, SessionPages(browser, server) as pages:
        live = await live_workshop(api)
        right = await pages.open(live.workshop, live.facilitator)
        ahead = await pages.open(live.workshop, live.participant, clock=timedelta(minutes=7))
        assert await ahead.evaluate("() => Date.now()") > await right.evaluate(
            "() => Date.now() + 6 * 60 * 1000"
        )
        await right.evaluate(COUNT_NEWS)

        await live.steer("/timer", {"action": "start", "seconds": 600})
        await agree(live, [right, ahead])
        behind = await pages.open(live.workshop, live.participant, clock=-timedelta(minutes=5))
        screen = await pages.open(live.workshop, live.facilitator, screen=True)
        await agree(live, [right, ahead, behind, screen])

        await live.steer("/timer", {"action": "pause"})
        paused = math.ceil(await server_seconds_left(live))
        for page in (right, ahead, behind, screen):
            await expect(page.locator("#session-time, #screen-timer")).to_have_text(
                f"{paused // 60}:{paused % 60:02d}"
            )
        await live.steer("/timer", {"action": "add", "seconds": 120})
        await live.steer("/timer", {"action": "resume"})
        await agree(live, [right, ahead, behind, screen])
        # Start, pause, the time added and the resume were said; the seconds ticking were not.
        news = await right.evaluate("() => window.sessionNews")
        assert news[0].startswith("Ajastin käynnistyi: jäljellä 10 minuuttia"), news
        assert [text.split(":")[0] for text in news[1:]] == [
            "Ajastin on tauolla",
            "Aikaa muutettiin",
            "Ajastin jatkuu",
        ], news


async def test_the_timer_says_when_time_is_up(server: ServerProcess, browser: Browser) -> None:
    async with ApiClient(server.http_url) as api, SessionPages(browser, server) as pages:
        live = await live_workshop(api)
        page = await pages.open(live.workshop, live.participant, clock=timedelta(hours=-3))
        await live.steer("/timer", {"action": "start", "seconds": 2})
        await expect(page.locator("#session-time")).to_have_text("0:00")
        await expect(page.locator("#session-strip .timer-state")).to_have_text("Aika on loppu")
        await expect(page.locator("#session-news")).to_have_text("Aika on loppu.")
        await assert_accessible(page, "a page whose timer ran out")
