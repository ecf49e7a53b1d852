"""Finding one's way on the workshop page in Chromium: skip links and the section navigation,
comments beside the words they are on (in the part's comments on a wide screen, right under
the text on a narrow one) with the focus kept where the person was, and who is in which part
and text, with the names on their carets readable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from documents.access import DocumentKind
from documents.workshop_doc import load_document
from tests.browser.conftest import OpenPage, new_workshop
from tests.browser.pages import editor, select_in, shows, type_at_end
from tests.support.browser import PageProblems
from tests.support.server import ServerProcess, running_server

pytestmark = pytest.mark.asyncio(loop_scope="module")

PARTS = [
    "Toimintamalli",
    "Tarpeet ja tavoitteet",
    "Näkökulmataulukko",
    "Kehittämisen polku",
    "Toteutus ja arviointi",
    "Ideat",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
TABLET: ViewportSize = {"width": 768, "height": 900}
LAPTOP: ViewportSize = {"width": 1280, "height": 800}


async def focused(locator: Any) -> bool:
    return bool(await locator.evaluate("node => node === document.activeElement"))


async def tab_to(page: Page, locator: Any, limit: int = 200) -> int:
    """Press Tab until `locator` has the focus; how many presses it took."""
    for presses in range(1, limit + 1):
        await page.keyboard.press("Tab")
        if await focused(locator):
            return presses
    raise AssertionError(f"{locator} not reached in {limit} Tab presses")


async def test_skip_links_and_the_section_navigation_lead_to_each_part_and_its_comments(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server)
    page = await open_page(workshop_id, tokens["owner"])
    field = "matrix/client.finances"
    await type_at_end(page, field, "Hyvinvointialueen budjetti")
    await select_in(page, field, 0, 5)
    await page.keyboard.press("Control+Alt+m")
    await page.keyboard.type("Mikä osuus?")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")

    nav = page.get_by_role("navigation", name="Työpajan osat")
    titles = await nav.get_by_role("link").evaluate_all(
        "nodes => nodes.map(node => node.firstChild.textContent)"
    )
    assert titles == [*PARTS, "Versiot", "Käyttöönotot", "Jakaminen"]
    await expect(nav.get_by_role("link", name="Näkökulmataulukko 1 avoin kommentti")).to_have_count(
        1
    )

    await page.reload()
    await expect(page.locator("main#workshop")).to_have_attribute("data-ready", "true")
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Siirry tekstiin")
    await expect(skip).to_be_focused()
    assert (await skip.bounding_box() or {"width": 0})["width"] > 10  # shown when focused
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    to_comments = page.get_by_role("link", name="Siirry kommentteihin")
    await expect(to_comments).to_be_focused()
    await expect(to_comments).to_have_attribute("href", "#comments-matrix")
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    thread = page.locator("#comments-matrix li.thread")
    await expect(thread.get_by_role("button", name="Näytä tekstissä")).to_be_focused()

    for index, part in enumerate(PARTS):
        link = nav.get_by_role("link", name=part)
        await tab_to(page, link) if index == 0 else await link.focus()
        await page.keyboard.press("Enter")
        await page.keyboard.press("Tab")
        section = page.locator(f"section.part[data-part] >> nth={index}")
        assert await section.evaluate("(node) => node.contains(document.activeElement)"), part
    await nav.get_by_role("link", name="Näkökulmataulukko").focus()
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    await expect(editor(page, "matrix/client.actors")).to_be_focused()


async def test_the_comment_form_opens_beside_the_words_and_the_focus_comes_back(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server)
    page = await open_page(workshop_id, tokens["owner"])
    field = "matrix/professional.tasks"
    await type_at_end(page, field, "Yöhoitaja käy kotona")
    form = page.locator("#comment-form")

    await page.set_viewport_size(LAPTOP)
    await select_in(page, field, 10, 3)
    await page.keyboard.press("Control+Alt+m")
    await expect(page.locator("#comments-matrix #comment-form")).to_be_visible()
    await expect(form).to_be_in_viewport()
    await expect(editor(page, field)).to_be_in_viewport()
    await page.keyboard.type("Kuinka usein?")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # Send
    await expect(form).to_be_hidden()
    await expect(editor(page, field)).to_be_focused()
    await expect(page.locator("#status")).to_have_text("Kommentti lisätty.")
    # The selection is where it was: the words can be commented on again at once.
    await page.keyboard.press("Control+Alt+m")
    await expect(page.locator("#comment-quote")).to_contain_text("”käy”")
    await page.keyboard.press("Escape")
    await expect(editor(page, field)).to_be_focused()

    await page.set_viewport_size(PHONE)
    # One perspective at a time on a phone.
    await page.get_by_role("radio", name="Ammattilaisnäkökulma").check()
    await select_in(page, field, 0, 9)
    await page.keyboard.press("Control+Alt+m")
    await expect(form).to_be_visible()
    after = await form.evaluate("node => node.previousElementSibling.dataset.field")
    assert after == field
    await expect(form).to_be_in_viewport()
    await page.keyboard.type("Kuka?")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(editor(page, field)).to_be_focused()

    threads = page.locator("#comments-matrix li.thread")
    await expect(threads).to_have_count(2)
    first = threads.first  # in the order of the words: "Yöhoitaja" before "käy"
    await expect(first.locator("blockquote")).to_have_text("Yöhoitaja")
    await first.get_by_role("button", name="Vastaa").focus()
    await page.keyboard.press("Enter")
    await expect(first.locator("#reply-form")).to_be_visible()
    await page.keyboard.type("Yöpartion hoitaja")
    await page.keyboard.press("Control+Enter")
    await expect(first.locator(".replies li")).to_contain_text("Yöpartion hoitaja")
    await expect(first.get_by_role("button", name="Vastaa")).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # Mark as resolved
    await expect(first.get_by_role("button", name="Avaa uudelleen")).to_be_focused()


async def test_presence_shows_who_is_in_which_part_and_text(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    mine = await open_page(workshop_id, tokens["owner"])
    theirs = await open_page(workshop_id, tokens["editor"])
    await theirs.get_by_label("Nimesi").fill("Aino Ahonen-Virtanen")
    await theirs.get_by_label("Nimesi").press("Enter")
    cell = "matrix/political_administrative.tasks"

    await type_at_end(theirs, cell, "Valtuusto päättää palvelutasosta joka vuosi")
    await shows(mine, cell, "Valtuusto päättää palvelutasosta joka vuosi")
    listed = mine.locator("#present li").nth(1)
    await expect(listed).to_have_text(
        "Aino Ahonen-Virtanen (muokkaaja), kohdassa "
        "Poliittis-hallinnollinen näkökulma: Tehtävät ja työnjaot"
    )
    at_cell = mine.locator(f'.field[data-field="{cell}"] > .here li')
    await expect(at_cell).to_have_text(["Aino Ahonen-Virtanen"])

    # The name on the caret is shown without hovering, and inside the cell at every width.
    name = editor(mine, cell).locator(".cm-ySelectionInfo")
    await expect(name).to_have_text("Aino Ahonen-Virtanen")
    await expect(name).to_have_css("opacity", "1")
    for size in (PHONE, TABLET, LAPTOP):
        await mine.set_viewport_size(size)
        if size is not LAPTOP:
            await mine.get_by_role("radio", name="Poliittis-hallinnollinen näkökulma").check()
        await editor(mine, cell).scroll_into_view_if_needed()
        await expect(name).to_be_visible()
        box = await within(mine, cell)
        assert box["inside"], (size, box)

    await theirs.locator(".field[data-field='model/purpose'] .cm-content").focus()
    await expect(listed).to_have_text("Aino Ahonen-Virtanen (muokkaaja), kohdassa Käyttötarkoitus")
    await expect(mine.locator('.field[data-field="model/purpose"] > .here li')).to_have_text(
        ["Aino Ahonen-Virtanen"]
    )
    await expect(at_cell).to_have_count(0)


async def within(page: Page, field: str) -> dict[str, Any]:
    """Where the caret's name is against its editor's visible box (the scroller clips)."""
    box: dict[str, Any] = await page.locator(f'.field[data-field="{field}"]').evaluate(
        """node => {
          const outer = node.querySelector('.cm-scroller').getBoundingClientRect()
          const name = node.querySelector('.cm-ySelectionInfo').getBoundingClientRect()
          return {
            outer: [outer.left, outer.top, outer.right, outer.bottom],
            name: [name.left, name.top, name.right, name.bottom],
            inside: name.left >= outer.left - 0.5 && name.right <= outer.right + 0.5 &&
              name.top >= outer.top - 0.5 && name.bottom <= outer.bottom + 0.5
          }
        }"""
    )
    return box


async def test_a_workshop_over_its_size_limit_turns_the_page_read_only_and_says_why(
    browser: Browser, tmp_path: Path
) -> None:
    room = len(load_document(DocumentKind.CONTENT).get_update()) + 400
    async with running_server(
        tmp_path, open_documents=False, args=["--limit", f"max_document_bytes={room}"]
    ) as server:
        workshop_id, tokens = await new_workshop(server)
        context = await browser.new_context(locale="fi-FI")
        problems = PageProblems()
        page = problems.watch(await context.new_page())
        await page.goto(f"{server.http_url}/workshops/{workshop_id}?token={tokens['owner']}")
        await expect(page.locator("main#workshop")).to_have_attribute("data-ready", "true")
        field = "path/starting_point"
        await editor(page, field).click()
        for _ in range(12):
            await page.keyboard.type("Kotihoidon yöpartio aloitti syksyllä. ")
            if await page.locator("main#workshop").get_attribute("data-connection") == "refused":
                break

        await expect(page.locator("#notice")).to_have_text(
            "Työpaja on ylittänyt kokorajansa: mitään ei voi enää tallentaa, "
            "joten sivu on vain luku -tilassa."
        )
        await expect(editor(page, field)).to_have_attribute("aria-readonly", "true")
        before = await editor(page, field).inner_text()
        await page.keyboard.type("Ei tallennu")
        assert await editor(page, field).inner_text() == before
        await context.close()
    assert problems.found == []
