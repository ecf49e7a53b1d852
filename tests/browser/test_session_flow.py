"""A whole live Innopaja session in Chromium, driven through the pages alone: the facilitator
starts it from the console with its agenda and gives out a participant link; participants
join under a name on a phone and a laptop and write hidden notes that only they and the
facilitator see; the facilitator moves through the phases, reveals the notes into the ideas,
runs a dot vote whose limits the server holds, closes it and ends the session; the shared
screen follows along; the record downloads as JSON and Markdown."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Dialog, Locator, Page, expect

from tests.browser.conftest import new_workshop
from tests.browser.session_pages import PHONE, SessionPages
from tests.support.api import ApiClient
from tests.support.axe import assert_accessible
from tests.support.server import ServerProcess
from tests.support.sessions import live_workshop

pytestmark = pytest.mark.asyncio(loop_scope="module")

FIVE_MINUTES = re.compile(r"^(5:00|4:[0-5]\d)$")
# What is wider than the screen: nothing may be, on a phone.
OVERFLOW = """() => [...document.querySelectorAll('body *')]
  .filter(node => node.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(node => node.outerHTML.slice(0, 120))"""


async def join(page: Page, name: str) -> None:
    await page.get_by_label("Nimesi istunnossa").fill(name)
    await page.get_by_role("button", name="Liity istuntoon").click()
    await expect(page.locator("#my-notes-title")).to_have_text("Omat muistilappuni")


async def write_note(page: Page, text: str) -> None:
    await page.get_by_label("Uusi muistilappu").fill(text)
    await page.get_by_role("button", name="Lisää muistilappu").click()
    await expect(page.locator("#my-notes .note-text", has_text=text)).to_have_count(1)


def vote_item(page: Page, text: str) -> Locator:
    return page.locator(".vote-items li", has_text=text)


async def download(page: Page, link: Locator) -> str:
    async with page.expect_download() as started:
        await link.click()
    path = await (await started.value).path()
    return await asyncio.to_thread(Path(path).read_text, encoding="utf-8")


async def test_a_whole_session_from_start_to_its_record(
    server: ServerProcess, browser: Browser
) -> None:
    workshop_id, tokens = await new_workshop(server, "facilitator")
    async with SessionPages(browser, server) as pages:
        # The vote's limit refused in the page, and the participants' link ended with the
        # session: the console logs the refused requests.
        pages.allow("status of 409")
        pages.allow("status of 403")
        facilitator = await pages.open(workshop_id, tokens["facilitator"])
        facilitator.on("dialog", accept_the_end)

        await assert_accessible(facilitator, "the form that starts a session")
        # Start: a title and the default agenda, the second phase without notes.
        await facilitator.get_by_label("Otsikko").fill("Yöpartion ideointi")
        for number, title in enumerate(["Ideoi", "Kehitä", "Toteuta"], 1):
            phase = facilitator.get_by_role("textbox", name=f"Vaihe {number}", exact=True)
            await expect(phase).to_have_value(title)
        await facilitator.locator(".phase-edit").nth(1).get_by_role("checkbox").uncheck()
        await facilitator.get_by_role("button", name="Aloita istunto").click()
        await expect(facilitator.locator("#session-strip .phase")).to_have_text("Vaihe 1/3: Ideoi")
        await facilitator.get_by_role("button", name="Luo osallistujalinkki").click()
        link = await facilitator.locator("#participant-link").input_value()
        screen = await pages.open(workshop_id, tokens["facilitator"], screen=True)
        await expect(screen.locator("#screen-phase")).to_have_text("Vaihe 1/3: Ideoi")

        aino = await pages.open_link(link, size=PHONE)
        bertta = await pages.open_link(link)
        assert await aino.evaluate(OVERFLOW) == []
        await assert_accessible(aino, "a participant's page asking for a name, on a phone")
        await join(aino, "Aino")
        await join(bertta, "Bertta")
        await expect(facilitator.locator("#session-console")).to_contain_text(
            "2 henkilöä on liittynyt."
        )

        # Hidden notes: written, edited and withdrawn; seen by their author and the
        # facilitator only, live.
        await write_note(aino, "Yöhoitajan puhelin")
        await write_note(aino, "Turvaranneke")
        await write_note(bertta, "Omaisen tekstiviesti")
        await write_note(bertta, "Väärä lappu")
        mine = aino.locator("#my-notes .note", has_text="Turvaranneke")
        await mine.get_by_role("button", name="Muokkaa").click()
        await aino.get_by_label("Muistilappusi").fill("Turvaranneke kaikille")
        await aino.get_by_role("button", name="Tallenna", exact=True).click()
        await (
            bertta.locator("#my-notes .note", has_text="Väärä lappu")
            .get_by_role("button", name="Peru")
            .click()
        )
        # The focus stays in the list: on the note before the one withdrawn.
        await expect(
            bertta.locator("#my-notes .note", has_text="Omaisen tekstiviesti").get_by_role(
                "button", name="Muokkaa"
            )
        ).to_be_focused()
        incoming = facilitator.locator("#incoming-notes .note-text")
        await expect(incoming).to_have_text(
            ["Yöhoitajan puhelin", "Turvaranneke kaikille", "Omaisen tekstiviesti"]
        )
        await expect(facilitator.locator("#note-count")).to_have_text("3 piilotettua muistilappua")
        await expect(bertta.locator("#my-notes .note-text")).to_have_text(["Omaisen tekstiviesti"])
        for page in (bertta, screen):
            assert "Yöhoitajan puhelin" not in await page.content()
        await assert_accessible(facilitator, "the facilitator's console with incoming notes")

        # Phases: the second takes no notes.
        await facilitator.get_by_role("button", name="Seuraava vaihe").click()
        for page in (aino, bertta, facilitator):
            await expect(page.locator("#session-strip .phase")).to_have_text("Vaihe 2/3: Kehitä")
        await expect(screen.locator("#screen-phase")).to_have_text("Vaihe 2/3: Kehitä")
        await expect(aino.get_by_label("Uusi muistilappu")).to_be_hidden()
        await expect(aino.locator(".session-notes")).to_contain_text(
            "Tässä vaiheessa ei kirjoiteta muistilappuja."
        )

        # The reveal: the notes become ideas, with their authors' names.
        await facilitator.get_by_role("button", name="Paljasta muistilaput").click()
        for page in (aino, bertta):
            await expect(page.locator("#idea-list .item")).to_have_count(3)
        await expect(aino.locator("#my-notes .note")).to_contain_text(
            ["Paljastettu", "Paljastettu"]
        )
        await expect(screen.locator("#screen-revealed li")).to_have_text(
            [
                "Yöhoitajan puhelinAino",
                "Turvaranneke kaikilleAino",
                "Omaisen tekstiviestiBertta",
            ]
        )

        # The dot vote: 3 dots each, at most 2 on one idea; the server says no to a third.
        await facilitator.get_by_role("button", name="Avaa äänestys").click()
        await expect(aino.locator("#dots-left")).to_contain_text("Sinulla on 3 pistettä jäljellä.")
        phone_item = vote_item(aino, "Yöhoitajan puhelin")
        for _ in range(2):
            await phone_item.get_by_role("button", name="Anna piste").click()
        await expect(phone_item.locator(".mine")).to_have_text("pisteeni: 2")
        await phone_item.get_by_role("button", name="Anna piste").click()
        await expect(aino.locator(".session-vote .session-message")).to_have_text(
            "Yhdelle kohteelle voi antaa enintään 2 pistettä."
        )
        give = vote_item(aino, "Omaisen tekstiviesti").get_by_role("button", name="Anna piste")
        await give.click()
        await expect(aino.locator("#dots-left")).to_contain_text("Sinulla on 0 pistettä jäljellä.")
        await vote_item(aino, "Turvaranneke").get_by_role("button", name="Anna piste").click()
        await expect(aino.locator(".session-vote .session-message")).to_have_text(
            "Kaikki pisteesi on käytetty (3 pistettä): ota yksi pois siirtääksesi sen."
        )
        own = vote_item(bertta, "Omaisen tekstiviesti")
        await own.get_by_role("button", name="Anna piste").click()
        await own.get_by_role("button", name="Ota piste pois").click()
        await expect(own.locator(".mine")).to_have_text("pisteeni: 0")
        await own.get_by_role("button", name="Anna piste").click()
        await own.get_by_role("button", name="Anna piste").click()
        await expect(own.locator(".mine")).to_have_text("pisteeni: 2")
        await expect(facilitator.locator("#vote-state")).to_contain_text(
            "2 henkilöä on äänestänyt."
        )
        await facilitator.get_by_role("button", name="Sulje äänestys ja näytä tulokset").click()
        results = [
            "1.Omaisen tekstiviesti3 pistettä",
            "2.Yöhoitajan puhelin2 pistettä",
            "3.Turvaranneke kaikille0 pistettä",
        ]
        for page in (aino, bertta, facilitator):
            await expect(page.locator(".session-results .results li")).to_have_text(results)
        await expect(screen.locator("#screen-results .results li")).to_have_text(results)
        assert await aino.evaluate(OVERFLOW) == []
        await assert_accessible(aino, "a participant's notes, dots and results, on a phone")
        await assert_accessible(screen, "the shared screen with notes and results")

        # Any phase from the agenda, by keyboard: the focus lands on the phase now current.
        await facilitator.get_by_role("button", name="Siirry vaiheeseen Toteuta").focus()
        await facilitator.keyboard.press("Enter")
        current = facilitator.locator(".agenda li[aria-current=step]")
        await expect(current).to_contain_text("Toteuta")
        await expect(current).to_be_focused()
        await expect(aino.locator("#session-strip .phase")).to_have_text("Vaihe 3/3: Toteuta")

        # The timer, then the end; the record downloads as JSON and Markdown.
        await facilitator.get_by_label("Minuutteja").fill("5")
        await facilitator.get_by_role("button", name="Käynnistä ajastin").click()
        for page in (aino, screen):
            await expect(page.locator("#session-time, #screen-timer")).to_have_text(FIVE_MINUTES)
        await (
            facilitator.locator("#session-console")
            .get_by_role("button", name="Päätä istunto")
            .click()
        )
        await expect(screen.locator("#screen-idle")).to_have_text(
            "Istunto ”Yöpartion ideointi” on päättynyt."
        )
        await facilitator.locator(".session-records summary").click()
        await expect(facilitator.locator(".session-records summary")).to_have_text(
            "Aiemmat istunnot (1)"
        )
        record = facilitator.locator(".session-records li", has_text="Yöpartion ideointi")
        await expect(record).to_contain_text("2 osallistujaa")
        exported: dict[str, Any] = json.loads(
            await download(facilitator, record.get_by_role("link", name="Tallenne (JSON)"))
        )
        assert [(note["text"], note["author"]) for note in exported["notes"]] == [
            ("Yöhoitajan puhelin", "Aino"),
            ("Turvaranneke kaikille", "Aino"),
            ("Omaisen tekstiviesti", "Bertta"),
        ]
        assert [(tally["label"], tally["count"]) for tally in exported["votes"][0]["results"]] == [
            ("Omaisen tekstiviesti", 3),
            ("Yöhoitajan puhelin", 2),
            ("Turvaranneke kaikille", 0),
        ]
        assert exported["participants"] == 2
        markdown = await download(
            facilitator, record.get_by_role("link", name="Tallenne (Markdown)")
        )
        assert "Yöpartion ideointi" in markdown
        assert "Omaisen tekstiviesti" in markdown


async def accept_the_end(dialog: Dialog) -> None:
    """The console asks before the session ends."""
    assert dialog.message == "Päätetäänkö istunto nyt?"
    await dialog.accept()


async def focused_text(page: Page) -> str:
    text: str = await page.evaluate("() => document.activeElement.textContent")
    return text


async def test_a_participant_takes_part_by_keyboard_alone(
    server: ServerProcess, browser: Browser
) -> None:
    async with ApiClient(server.http_url) as api, SessionPages(browser, server) as pages:
        live = await live_workshop(api)
        aino = await live.join("Aino")
        written = await live.as_person("POST", "/notes", aino, {"text": "Yöhoitajan puhelin"})
        await live.steer("/reveal", {"anonymous": True})
        item = f"ideas/{written.json()['id']}"
        vote = {"items": [item], "per_person": 2, "max_per_item": 2}
        assert (await api.post(live.path + "/votes", token=live.facilitator, json=vote)).is_success
        page = await pages.open(live.workshop, live.participant, size=PHONE)

        await page.locator("#session-name").focus()
        await page.keyboard.type("Bertta")
        await page.keyboard.press("Enter")
        note = page.get_by_label("Uusi muistilappu")
        await expect(note).to_be_focused()
        await page.keyboard.type("Omaisen tekstiviesti")
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await expect(page.locator("#my-notes .note-text")).to_have_text(["Omaisen tekstiviesti"])
        await expect(note).to_be_focused()
        for _ in range(10):
            if await focused_text(page) == "Anna piste":
                break
            await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await expect(page.locator(".vote-items .mine")).to_have_text("pisteeni: 1")
        assert await focused_text(page) == "Anna piste"

        # The strip is just before the panel: one step back is the way out of following.
        await note.focus()
        for _ in range(10):
            if await focused_text(page) == "Lopeta seuraaminen":
                break
            await page.keyboard.press("Shift+Tab")
        await page.keyboard.press("Enter")
        await expect(page.locator("#follow-toggle")).to_have_text("Seuraa taas")
        await expect(page.locator("#follow-toggle")).to_be_focused()
