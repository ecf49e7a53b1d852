"""Steering a live Innopaja session from the facilitator's console, seen in other browsers:
"follow me" moves the view of those who follow and not of one who stepped out; a locked text is
read-only for a participant and editable for the facilitator; and a change that races a lock
is refused by the server, which the page says and then shows what the server holds."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.pages import editor, shows, stored, type_at_end
from tests.browser.session_pages import PHONE, SessionPages
from tests.support.api import ApiClient
from tests.support.axe import assert_accessible
from tests.support.conditions import wait_for
from tests.support.server import ServerProcess
from tests.support.sessions import LiveWorkshop, live_workshop

pytestmark = pytest.mark.asyncio(loop_scope="module")

CELL = "matrix/client.actors"
OTHER_CELL = "matrix/client.tasks"


async def show_everyone(facilitator: Page, target: str) -> None:
    """The console's follow-me: choose what to show, then show it to everyone."""
    await facilitator.locator("#focus-target").select_option(target)
    await facilitator.get_by_role("button", name="Näytä kaikille").click()


async def test_follow_me_moves_the_followers_view_and_not_one_who_stepped_out(
    server: ServerProcess, browser: Browser
) -> None:
    async with ApiClient(server.http_url) as api, SessionPages(browser, server) as pages:
        live = await live_workshop(api)
        facilitator = await pages.open(live.workshop, live.facilitator)
        follower = await pages.open(live.workshop, live.participant)
        phone = await pages.open(live.workshop, live.participant, size=PHONE)
        evaluation = "section:has(> #part-evaluation)"
        model = "section:has(> #part-model)"
        await expect(follower.locator(evaluation)).not_to_be_in_viewport()

        await show_everyone(facilitator, "evaluation")
        for page in (follower, phone):
            await expect(page.locator(evaluation)).to_be_in_viewport()
            await expect(page.locator("#follow-state")).to_have_text(
                "Seuraat fasilitaattoria: Toteutus ja arviointi"
            )
        await expect(facilitator.locator("#follow-state")).to_have_text(
            "Kaikille näytetään: Toteutus ja arviointi"
        )
        await assert_accessible(phone, "a follower's page on a phone, the facilitator's focus")

        await follower.get_by_role("button", name="Lopeta seuraaminen").click()
        where = await follower.evaluate("() => window.scrollY")
        await show_everyone(facilitator, "model/purpose")
        await expect(phone.locator('.field[data-field="model/purpose"]')).to_be_in_viewport()
        await expect(follower.locator("#follow-state")).to_have_text(
            "Et seuraa fasilitaattoria, joka näyttää: Käyttötarkoitus"
        )
        assert await follower.evaluate("() => window.scrollY") == where
        await expect(follower.locator(evaluation)).to_be_in_viewport()
        await expect(follower.locator(model)).not_to_be_in_viewport()

        await follower.get_by_role("button", name="Seuraa taas").click()
        await expect(follower.locator('.field[data-field="model/purpose"]')).to_be_in_viewport()
        await expect(follower.locator(".session-focus")).to_have_attribute(
            "data-field", "model/purpose"
        )


async def lock_cell(facilitator: Page, label: str, locked: bool) -> None:
    """Lock or unlock one text of the matrix from the console's lock toggles."""
    summary = facilitator.locator("summary", has_text="Tekstit: Näkökulmataulukko")
    if await summary.locator("..").get_attribute("open") is None:
        await summary.click()
    toggle = facilitator.get_by_role("checkbox", name=label, exact=True)
    await toggle.set_checked(locked)
    if locked:
        await expect(toggle).to_be_checked()
    else:
        await expect(toggle).not_to_be_checked()


async def content_cell(live: LiveWorkshop, server: ServerProcess, cell: str) -> str:
    topic = cell.split(".")[1]
    content = await stored(server, live.workshop, live.owner)
    text: str = content["matrix"]["client"][topic]
    return text


async def test_a_locked_cell_is_read_only_for_a_participant_and_editable_for_the_facilitator(
    server: ServerProcess, browser: Browser
) -> None:
    async with ApiClient(server.http_url) as api, SessionPages(browser, server) as pages:
        live = await live_workshop(api)
        facilitator = await pages.open(live.workshop, live.facilitator)
        participant = await pages.open(live.workshop, live.participant)
        await lock_cell(facilitator, "Asiakasnäkökulma: Toimijat", True)

        locked = editor(participant, CELL)
        await expect(locked).to_have_attribute("aria-readonly", "true")
        mark = participant.locator(f'.field[data-field="{CELL}"] .lock-mark')
        await expect(mark).to_have_text("🔒 Fasilitaattori on lukinnut tekstin: vain luettavissa.")
        await expect(locked).to_have_accessible_description(
            "Fasilitaattori on lukinnut tekstin: vain luettavissa."
        )
        await expect(facilitator.locator(f'.field[data-field="{CELL}"] .lock-mark')).to_have_text(
            "🔒 Lukittu muilta: voit silti muokata sitä."
        )
        await expect(editor(facilitator, CELL)).to_have_attribute("aria-readonly", "false")
        await assert_accessible(participant, "a participant's page with a locked text")

        await type_at_end(participant, CELL, "Ei mene")
        await participant.keyboard.press("Control+z")
        await type_at_end(participant, OTHER_CELL, "Kotihoitaja")
        await type_at_end(facilitator, CELL, "Asiakas ja omainen")
        await shows(participant, CELL, "Asiakas ja omainen")
        await shows(facilitator, OTHER_CELL, "Kotihoitaja")
        await wait_for(
            lambda: _holds(live, server, CELL, "Asiakas ja omainen"), what="the facilitator's text"
        )
        assert await content_cell(live, server, OTHER_CELL) == "Kotihoitaja"

        await lock_cell(facilitator, "Asiakasnäkökulma: Toimijat", False)
        await expect(locked).to_have_attribute("aria-readonly", "false")
        await expect(mark).to_have_count(0)
        await type_at_end(participant, CELL, ", naapuri")
        await wait_for(
            lambda: _holds(live, server, CELL, "Asiakas ja omainen, naapuri"),
            what="the participant's text once unlocked",
        )


async def _holds(live: LiveWorkshop, server: ServerProcess, cell: str, text: str) -> bool:
    return await content_cell(live, server, cell) == text


async def test_a_change_that_races_a_lock_is_refused_said_and_replaced_by_the_servers_text(
    server: ServerProcess, browser: Browser
) -> None:
    async with ApiClient(server.http_url) as api, SessionPages(browser, server) as pages:
        live = await live_workshop(api)
        facilitator = await pages.open(live.workshop, live.facilitator)
        # This page never hears of the lock: its session document's socket is held back.
        participant = await pages.open(live.workshop, live.participant, hold_session=True)
        await live.steer("/locks", {"targets": [CELL], "locked": True})
        await type_at_end(facilitator, CELL, "Asiakas")
        await shows(participant, CELL, "Asiakas")
        await expect(editor(participant, CELL)).to_have_attribute("aria-readonly", "false")

        # One keystroke: the server refuses it, and the page loads again from what it holds.
        await type_at_end(participant, CELL, "!")
        alert = participant.locator("#session-panel .session-alert")
        await expect(alert).to_have_text(
            "Viimeisin muutoksesi ei tallentunut: fasilitaattori oli lukinnut sen tekstin. "
            "Sivu näyttää nyt sen, mitä palvelimelle on tallennettu."
        )
        await shows(participant, CELL, "Asiakas")
        await expect(editor(participant, CELL)).to_be_focused()
        await type_at_end(participant, OTHER_CELL, "Kotihoitaja")
        await shows(facilitator, OTHER_CELL, "Kotihoitaja")
        await shows(facilitator, CELL, "Asiakas")
        assert await content_cell(live, server, CELL) == "Asiakas"
