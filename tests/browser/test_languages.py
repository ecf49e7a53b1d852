"""The workshop page in Chromium in Finnish, Swedish and English: the browser's language on a
first visit, the switch and the choice kept across reloads, and every word the live page shows
(the browser client's too) from that language's catalogues or from what people typed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import new_workshop
from tests.browser.pages import select_in, type_at_end
from tests.support.browser import PageProblems
from tests.support.server import ServerProcess
from tests.support.untranslated import untranslated
from web.i18n import Lang

pytestmark = pytest.mark.asyncio(loop_scope="module")

OpenIn = Callable[[str, str, str], Awaitable[Page]]

# Every text node and every name given to assistive technology, hidden ones included.
PAGE_WORDS = """() => {
  const texts = [document.title]
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  while (walker.nextNode()) {
    const node = walker.currentNode
    if (node.parentElement.closest('script, style, noscript')) continue
    if (node.textContent.trim()) texts.push(node.textContent)
  }
  for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
    for (const element of document.querySelectorAll(`[${name}]`)) {
      texts.push(element.getAttribute(name))
    }
  }
  return texts
}"""


@pytest_asyncio.fixture(loop_scope="module")
async def open_in(browser: Browser, server: ServerProcess) -> AsyncIterator[OpenIn]:
    """A workshop page opened in a new context whose browser asks for `locale` (its
    Accept-Language), once the page's editors are up; no page may log an error."""
    problems = PageProblems()
    contexts = []

    async def open_page(locale: str, workshop_id: str, query: str) -> Page:
        context = await browser.new_context(locale=locale)
        contexts.append(context)
        page = problems.watch(await context.new_page())
        await page.goto(f"{server.http_url}/workshops/{workshop_id}{query}")
        await expect(page.locator("main#workshop")).to_have_attribute("data-ready", "true")
        return page

    yield open_page
    for context in contexts:
        await context.close()
    assert problems.found == []


async def test_switching_to_swedish_shows_labels_and_roles_in_swedish_and_stays(
    server: ServerProcess, open_in: OpenIn
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    owner = await open_in("fi-FI", workshop_id, f"?token={tokens['owner']}")
    other = await open_in("fi-FI", workshop_id, f"?token={tokens['editor']}")
    await other.get_by_label("Nimesi").fill("Aino")
    await other.get_by_label("Nimesi").press("Enter")
    await expect(owner.locator("html")).to_have_attribute("lang", "fi")
    await expect(owner.locator("#part-matrix")).to_have_text("Näkökulmataulukko")

    await owner.get_by_role("link", name="svenska").click()
    await expect(owner.locator("main#workshop")).to_have_attribute("data-ready", "true")
    for page in (owner, await reloaded(owner)):
        await expect(page.locator("html")).to_have_attribute("lang", "sv")
        assert "lang=sv" in page.url or "lang=" not in page.url
        await expect(page.locator("#part-matrix")).to_have_text("Perspektivtabell")
        headers = page.locator("section[aria-labelledby=part-matrix] thead th")
        await expect(headers).to_have_text(
            [
                "Ämne / Perspektiv",
                "Klientperspektiv",
                "Yrkesperspektiv",
                "Organisatoriskt perspektiv",
                "Politiskt-administrativt perspektiv",
            ]
        )
        await expect(
            page.locator("section[aria-labelledby=part-matrix] tbody th").first
        ).to_have_text("Aktörer")
        await expect(page.locator("#role")).to_have_text("Roll: ägare")
        await expect(page.locator("#present li")).to_contain_text([", du", "Aino (redigerare)"])
        await expect(page.locator("#present li").first).to_contain_text("(ägare), du")
        await expect(page.locator("#status")).to_have_text("Ansluten")
        assert (
            await page.locator(".cm-content[data-field='matrix/client.actors']").get_attribute(
                "aria-label"
            )
            == "Klientperspektiv: Aktörer"
        )
    # The other person's page keeps its own language.
    await expect(other.locator("#role")).to_have_text("Rooli: muokkaaja")


async def reloaded(page: Page) -> Page:
    await page.reload()
    await expect(page.locator("main#workshop")).to_have_attribute("data-ready", "true")
    return page


@pytest.mark.parametrize(
    ("locale", "lang", "heading"),
    [("sv-FI", "sv", "Perspektivtabell"), ("en-GB", "en", "Perspective matrix")],
)
async def test_a_first_visit_speaks_the_browsers_language(
    server: ServerProcess, open_in: OpenIn, locale: str, lang: str, heading: str
) -> None:
    workshop_id, tokens = await new_workshop(server)
    page = await open_in(locale, workshop_id, f"?token={tokens['owner']}")
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    await expect(page.locator("#part-matrix")).to_have_text(heading)
    await expect(page.get_by_role("link", name=page_language_name(lang))).to_have_attribute(
        "aria-current", "true"
    )


def page_language_name(lang: str) -> str:
    return {"fi": "suomi", "sv": "svenska", "en": "English"}[lang]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
async def test_every_word_of_the_live_page_is_from_its_language(
    server: ServerProcess, open_in: OpenIn, lang: Lang
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    owner = await open_in("fi-FI", workshop_id, f"?token={tokens['owner']}&lang={lang}")
    seen: list[str] = []

    async def look() -> None:
        seen.extend(await owner.evaluate(PAGE_WORDS))

    await type_at_end(owner, "matrix/client.actors", "Yöhoitaja käy")
    await owner.locator("#add-component").click()
    await owner.locator("#add-idea").click()
    await owner.locator("#version-label").fill("Ennen kokeilua")
    await owner.locator("#version-form button[type=submit]").click()
    await expect(owner.locator("#version-list li")).to_have_count(1)
    await look()
    await type_at_end(owner, "matrix/client.actors", " yöllä")
    await owner.locator("#version-list li button").first.click()
    await expect(owner.locator("#version-diff tbody tr")).to_have_count(1)
    await select_in(owner, "matrix/client.actors", 0, 9)
    await owner.keyboard.press("Control+Alt+m")
    await owner.keyboard.type("Kuinka usein?")
    await owner.locator("#comment-form button[type=submit]").click()
    await expect(owner.locator(".threads li.thread")).to_have_count(1)
    await owner.locator("#link-roles button").first.click()
    # The owner's link, the editor's and the new one (2 passed only before the new one showed).
    await expect(owner.locator("#link-list li")).to_have_count(3)
    await expect(owner.locator("#in-use-summary")).not_to_have_text("")
    await look()

    data = [
        "Kotihoidon yöpartio",
        "Kuopio",
        "Yöhoitaja",
        "käy",
        "yöllä",
        "Kuinka usein?",
        "Ennen kokeilua",
    ]
    assert sorted(set(untranslated(seen, lang, data))) == []
