"""Every action of the front page and the workshop page, by keyboard alone: each control is
reached with Tab (or Shift+Tab) from where the focus was, and used with Enter, Space, the
arrow keys or typing. What the actions did is checked on the page and in what the server
stored. A new control on these pages belongs in this walk."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, Dialog, Page, expect

from tests.browser.pages import editor, shows, stored
from tests.support.browser import PageProblems
from tests.support.conditions import wait_for
from tests.support.server import ServerProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def tab_to(page: Page, locator: Any, *, back: bool = False, limit: int = 250) -> None:
    """Press Tab (Shift+Tab with `back`) until `locator` has the focus."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        await page.keyboard.press(key)
        if await locator.evaluate("node => node === document.activeElement"):
            return
    raise AssertionError(f"{locator} not reached by {key} in {limit} presses")


async def ready(page: Page) -> None:
    await expect(page.locator("main#workshop")).to_have_attribute("data-ready", "true")


async def test_every_action_by_keyboard_alone(server: ServerProcess, browser: Browser) -> None:
    context = await browser.new_context(
        locale="fi-FI", permissions=["clipboard-read", "clipboard-write"]
    )
    problems = PageProblems()
    page = problems.watch(await context.new_page())
    status = page.locator("#status")

    # The front page: a new workshop, and its key copied.
    await page.goto(f"{server.http_url}/")
    await tab_to(page, page.get_by_label("Nimi", exact=True))
    await page.keyboard.type("Kotihoidon yöpartio")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Kuopio")
    await page.keyboard.press("Tab")
    await page.keyboard.press("ArrowDown")  # private
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await ready(page)
    workshop_id = page.url.split("/workshops/")[1].split("?")[0]
    await tab_to(page, page.get_by_role("button", name="Kopioi omistajan linkki"))
    await page.keyboard.press("Enter")
    await expect(status).to_contain_text("Omistajan linkki on kopioitu")
    owner_link = await page.evaluate("() => navigator.clipboard.readText()")
    token = owner_link.split("token=")[1].split("&")[0]

    # The name, then the sections by the skip link and the section navigation.
    await tab_to(page, page.get_by_label("Nimesi"))
    await page.keyboard.press("Control+a")
    await page.keyboard.type("Aino")
    await page.keyboard.press("Enter")
    await tab_to(page, page.get_by_role("link", name="Siirry osien valikkoon"), back=True)
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Toimintamalli")).to_be_focused()
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    await expect(editor(page, "model/name")).to_be_focused()
    await page.keyboard.type("Yöpartio")

    # A comment on the selected words; the focus comes back to them; reply, resolve, show.
    await page.keyboard.press("Shift+Home")
    await page.keyboard.press("Control+Alt+m")
    await expect(page.locator("#comment-body")).to_be_focused()
    await page.keyboard.type("Hyvä nimi?")
    await page.keyboard.press("Control+Enter")
    await expect(editor(page, "model/name")).to_be_focused()
    thread = page.locator("#comments-model li.thread")
    await tab_to(page, thread.get_by_role("button", name="Vastaa"))
    await page.keyboard.press("Enter")
    await page.keyboard.type("Kyllä")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # Reply
    await expect(thread.locator(".replies li")).to_contain_text("Aino")
    await expect(thread.get_by_role("button", name="Vastaa")).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # Mark as resolved
    await expect(thread.get_by_role("button", name="Avaa uudelleen")).to_be_focused()
    await page.keyboard.press("Enter")  # Reopen
    await expect(thread.get_by_role("button", name="Merkitse ratkaistuksi")).to_be_focused()
    await tab_to(page, thread.get_by_role("button", name="Näytä tekstissä"), back=True)
    await page.keyboard.press("Enter")
    await expect(editor(page, "model/name")).to_be_focused()

    # Components: added, moved and removed.
    add = page.get_by_role("button", name="Lisää osatekijä")
    for title in ("Arviointikäynti", "Seuranta"):
        await tab_to(page, add)
        await page.keyboard.press("Enter")
        await page.keyboard.type(title)
    second = page.locator("#component-list .item").nth(1)
    await tab_to(page, second.get_by_role("button", name="Siirrä ylös"))
    await page.keyboard.press("Enter")
    await expect(page.locator("#component-list .item").first).to_contain_text("Seuranta")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # Remove "Seuranta": the focus stays in the list
    await expect(page.locator("#component-list .item")).to_have_count(1)
    await expect(page.locator("#component-list [data-action=remove]")).to_be_focused()

    # The matrix on a phone: the perspective switch, then a cell of that perspective.
    await page.set_viewport_size({"width": 390, "height": 844})
    await tab_to(page, page.get_by_role("radio", name="Asiakasnäkökulma"))
    await page.keyboard.press("ArrowDown")
    await expect(page.get_by_role("radio", name="Ammattilaisnäkökulma")).to_be_checked()
    await page.keyboard.press("Tab")
    await expect(editor(page, "matrix/professional.actors")).to_be_focused()
    await page.keyboard.type("Yöhoitaja")
    await page.set_viewport_size({"width": 1280, "height": 800})

    # An idea, voted on.
    await tab_to(page, page.get_by_role("button", name="Lisää idea"))
    await page.keyboard.press("Enter")
    await page.keyboard.type("Turvaranneke")
    vote = page.locator("#idea-list [data-action=vote]")
    await tab_to(page, vote)
    await page.keyboard.press("Space")
    await expect(vote).to_have_attribute("aria-pressed", "true")

    # Share links: one made, one revoked.
    await tab_to(page, page.get_by_role("button", name="Uusi linkki: kommentoija"))
    await page.keyboard.press("Enter")
    made = page.locator("#link-list li").filter(has_text="kommentoija")
    await expect(made.locator("input")).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # Revoke the link
    await expect(made).to_have_count(0)

    # Versions: named, compared with now, restored.
    await tab_to(page, page.get_by_label("Nimeä versio sisällöstä sellaisena kuin se nyt on"))
    await page.keyboard.type("Ennen kokeilua")
    await page.keyboard.press("Enter")
    version = page.locator("#version-list li").filter(has_text="Ennen kokeilua")
    await expect(version).to_have_count(1)
    await tab_to(page, editor(page, "model/name"), back=True)
    await page.keyboard.press("Control+End")
    await page.keyboard.type(" Kuopio")
    await tab_to(page, version.get_by_role("button", name="Vertaa nykyiseen"))
    await page.keyboard.press("Enter")
    await expect(page.locator("#version-diff h3")).to_be_focused()
    await expect(page.locator("#version-diff ins")).to_have_text("Yöpartio Kuopio")

    async def confirm(dialog: Dialog) -> None:
        await dialog.accept()

    page.once("dialog", confirm)
    await tab_to(page, version.get_by_role("button", name="Palauta"))
    await page.keyboard.press("Enter")
    await shows(page, "model/name", "Yöpartio")

    # Adoption: the model adopted; the fork's owner reviews the origin's later change.
    await tab_to(page, page.get_by_label("Organisaatio"))
    await page.keyboard.type("Siilinjärvi")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Sama yöaukko")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # Adopt
    adopted = page.locator("#fork-result a")
    await expect(adopted).to_be_visible()
    await tab_to(page, page.get_by_role("button", name="Hae ehdotukset"))
    await page.keyboard.press("Enter")
    await expect(status).to_have_text("Ei ehdotuksia.")
    await tab_to(page, editor(page, "model/name"), back=True)
    await page.keyboard.press("Control+End")
    await page.keyboard.type(" yöllä")

    async def committed() -> bool:
        return bool((await stored(server, workshop_id, token))["model"]["name"] == "Yöpartio yöllä")

    await wait_for(committed, what="the origin's change in the database")
    await tab_to(page, adopted)
    await page.keyboard.press("Enter")
    await ready(page)
    await tab_to(page, page.get_by_role("button", name="Tarkista muutokset"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("radio", name="Ota muutos")).to_be_focused()
    await page.keyboard.press("Space")
    await tab_to(page, page.get_by_role("button", name="Päivitä valinnoin"))
    await page.keyboard.press("Enter")
    await expect(status).to_contain_text("Otettuja muutoksia: 1")
    await shows(page, "model/name", "Yöpartio yöllä")

    # The language, switched and kept.
    await tab_to(page, page.get_by_role("link", name="svenska"), back=True)
    await page.keyboard.press("Enter")
    await ready(page)
    await expect(page.locator("html")).to_have_attribute("lang", "sv")
    await context.close()
    assert problems.found == []
