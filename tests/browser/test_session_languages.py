"""Every word the Innopaja pages show (the facilitator's console, a participant's panel and the
strip, the shared screen), hidden ones included, is from the page's language's catalogues or
typed by someone: in Finnish, Swedish and English."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from documents.lineage_service import AUTOMATIC_LABEL
from tests.browser.pages import PAGE_WORDS
from tests.browser.session_pages import SessionPages
from tests.support.api import ApiClient
from tests.support.server import ServerProcess
from tests.support.sessions import live_workshop
from tests.support.untranslated import untranslated
from web.i18n import Lang

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
async def test_every_word_of_the_session_pages_is_from_their_language(
    server: ServerProcess, browser: Browser, lang: Lang
) -> None:
    async with ApiClient(server.http_url) as api, SessionPages(browser, server) as pages:
        live = await live_workshop(api, title="Yöpartio")
        person = await live.join("Aino")
        written = await live.as_person("POST", "/notes", person, {"text": "Puhelin"})
        await live.steer("/reveal", {"anonymous": False})
        await live.as_person("POST", "/notes", person, {"text": "Ranneke"})
        items = [f"ideas/{written.json()['id']}"]
        vote = (
            await api.post(
                live.path + "/votes",
                token=live.facilitator,
                json={"items": items, "per_person": 2, "max_per_item": 1},
            )
        ).json()
        await live.as_person("POST", f"/votes/{vote['id']}/cast", person, {"item": items[0]})
        await live.steer(f"/votes/{vote['id']}/close")
        await api.post(
            live.path + "/votes",
            token=live.facilitator,
            json={"items": items, "per_person": 3, "max_per_item": 2},
        )
        await live.steer("/timer", {"action": "start", "seconds": 300})
        await live.steer("/locks", {"targets": ["matrix/client.actors"], "locked": True})
        await live.steer("/focus", {"target": "evaluation"})

        facilitator = await pages.open(live.workshop, live.facilitator, lang=lang)
        participant = await pages.open(live.workshop, live.participant, lang=lang)
        seen = await participant.evaluate(PAGE_WORDS)  # with the form that asks for a name
        await participant.locator("#session-name").fill("Bertta")
        await participant.locator(".session-join button[type=submit]").click()
        await expect(participant.locator(".session-vote")).to_be_visible()
        await expect(facilitator.locator("#incoming-notes li")).to_have_count(2)
        await expect(facilitator.locator(".session-results li")).to_have_count(1)
        screen = await pages.open(live.workshop, live.facilitator, screen=True, lang=lang)
        await expect(screen.locator("#screen-revealed li")).to_have_count(1)
        for page in (facilitator, participant, screen):
            await expect(page.locator("#session-time, #screen-timer")).not_to_have_text("")
            seen.extend(await page.evaluate(PAGE_WORDS))

    # Named by the server in Finnish, and stored as such: the default agenda's phases, and the
    # automatic version the content's room made when it unloaded between the API's changes.
    typed = ["Kotihoito", "Kuopio", "Yöpartio", "Aino", "Bertta", "Puhelin", "Ranneke"]
    typed += ["Ideoi", "Kehitä", "Toteuta", AUTOMATIC_LABEL]
    assert sorted(set(untranslated(seen, lang, typed))) == []
