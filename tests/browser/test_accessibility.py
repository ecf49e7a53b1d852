"""axe-core on every page and state that matters, and the pages at a phone's, a tablet's and a
laptop's width: nothing wider than the screen, and a screenshot of each main page at each
width in tests/browser/screenshots/ (which git ignores) for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from documents.access import DocumentKind
from documents.workshop_doc import load_document, text_at
from tests.browser.conftest import OpenPage, new_workshop
from tests.browser.pages import select_in, type_at_end
from tests.support.api import ApiClient
from tests.support.axe import assert_accessible, csp_still_blocks_inline_scripts, violations
from tests.support.browser import PageProblems
from tests.support.conditions import wait_until
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")

SCREENSHOTS = Path(__file__).parent / "screenshots"
WIDTHS = {"phone": 390, "tablet": 768, "laptop": 1280}
HEIGHT = 900

OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# Table headers whose words do not fit their column (so they would be cut, overlap or, with
# overflow-wrap, break inside a word).
WORDS_BROKEN = """() => [...document.querySelectorAll('th')]
  .filter(node => node.offsetParent !== null && node.scrollWidth > node.clientWidth)
  .map(node => node.textContent)"""


async def comment_on(page: Page, field: str, start: int, length: int, words: str) -> None:
    await select_in(page, field, start, length)
    await page.keyboard.press("Control+Alt+m")
    await page.keyboard.type(words)
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # Send


async def test_axe_runs_in_the_page_under_its_strict_policy(
    server: ServerProcess, open_page: OpenPage, page_problems: PageProblems
) -> None:
    page_problems.expect("violates the following Content Security Policy")
    workshop_id, tokens = await new_workshop(server)
    page = await open_page(workshop_id, tokens["owner"])
    response = await page.request.get(page.url)
    assert "script-src 'self'" in response.headers["content-security-policy"]

    assert await violations(page) == []
    assert await page.evaluate("() => typeof window.axe.run") == "function"
    assert await csp_still_blocks_inline_scripts(page)
    # And it finds what it is there to find.
    await page.evaluate(
        "() => document.querySelector('main').append(document.createElement('img'))"
    )
    assert [found["id"] for found in await violations(page)] == ["image-alt"]


@pytest.mark.parametrize("role", ["viewer", "commenter", "editor", "facilitator", "owner"])
async def test_the_workshop_page_passes_axe_in_every_role(
    server: ServerProcess, open_page: OpenPage, role: str
) -> None:
    workshop_id, tokens = await new_workshop(server, "viewer", "commenter", "editor", "facilitator")
    writer = await open_page(workshop_id, tokens["owner"])
    await type_at_end(writer, "matrix/client.actors", "Asiakas ja omainen")
    await comment_on(writer, "matrix/client.actors", 0, 7, "Kuka muu?")
    await expect(writer.locator(".threads li.thread")).to_have_count(1)
    await writer.get_by_role("button", name="Lisää osatekijä").click()
    await writer.keyboard.type("Arviointikäynti")
    await writer.get_by_role("button", name="Lisää idea").click()
    await writer.keyboard.type("Yöhoitajan puhelin")

    page = await open_page(workshop_id, tokens[role])
    await expect(page.locator(".threads li.thread")).to_have_count(1)
    await expect(page.locator("#present li")).to_have_count(2)
    await assert_accessible(page, f"the workshop page as {role}")


async def test_the_workshop_page_passes_axe_in_each_state_that_matters(
    server: ServerProcess, open_page: OpenPage
) -> None:
    async with ApiClient(server.http_url) as api:
        form = {"title": "Kotihoidon yöpartio", "organisation": "Kuopio", "visibility": "public"}
        created = await api.submit("/workshops", form, headers={"Origin": server.http_url})
        assert created.status_code == 303
        owner_link = created.headers["location"]
    workshop_id = owner_link.split("/workshops/")[1].split("?")[0]
    token = owner_link.split("token=")[1].split("&")[0]
    page = await open_page(workshop_id, token)
    await page.goto(f"{server.http_url}{owner_link}")
    await expect(page.locator("#owner-key")).to_be_visible()
    await expect(page.locator("main#workshop")).to_have_attribute("data-ready", "true")
    await assert_accessible(page, "a new workshop's page with its owner key")

    field = "model/short_description"
    await type_at_end(page, field, "Yöpartio kahdella hoitajalla")
    await select_in(page, field, 0, 8)
    await page.keyboard.press("Control+Alt+m")
    await expect(page.locator("#comment-form")).to_be_visible()
    await assert_accessible(page, "the comment form open")
    await page.keyboard.type("Kuka päättää?")
    await page.locator("#comment-form").get_by_role("button", name="Lähetä").click()
    thread = page.locator(".threads li.thread")
    await thread.get_by_role("button", name="Vastaa").click()
    await assert_accessible(page, "the reply form open")
    await page.keyboard.type("Tiimi")
    await page.keyboard.press("Control+Enter")
    await expect(thread.locator(".replies li")).to_contain_text("Tiimi")
    await thread.get_by_role("button", name="Merkitse ratkaistuksi").click()
    await expect(thread).to_have_class("thread resolved")
    await assert_accessible(page, "a resolved thread")

    await page.get_by_label("Nimeä versio sisällöstä sellaisena kuin se nyt on").fill("Alku")
    await page.get_by_role("button", name="Tallenna versio").click()
    await type_at_end(page, field, " ja puhelimella")
    # "Now" is what the server committed: compare once another client has received the words.
    async with python_client(server.http_url, workshop_id, token=token) as witness:
        await wait_until(
            lambda: str(text_at(witness, field)).endswith(" ja puhelimella"),
            what="the typed words stored",
        )
    await page.locator("#version-list li").get_by_role("button", name="Vertaa nykyiseen").click()
    await expect(page.locator("#version-diff tbody tr")).to_have_count(1)
    await assert_accessible(page, "a version compared with now")

    await page.get_by_role("button", name="Uusi linkki: lukija").click()
    await expect(page.locator("#link-list li")).to_have_count(2)
    await assert_accessible(page, "the share links listed")


async def test_a_forks_review_of_upstream_changes_and_the_proposals_pass_axe(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server)
    async with ApiClient(server.http_url) as api:
        adoption = {"organisation": "Siilinjärvi", "reason": "Sama tarve"}
        path = f"/api/workshops/{workshop_id}/fork"
        fork = (await api.post(path, token=tokens["owner"], json=adoption)).json()
    origin_doc = load_document(DocumentKind.CONTENT)
    fork_doc = load_document(DocumentKind.CONTENT)
    async with (
        python_client(server.http_url, workshop_id, origin_doc, token=tokens["owner"]),
        python_client(server.http_url, fork["id"], fork_doc, token=fork["owner_token"]),
    ):
        text_at(origin_doc, "model/purpose").insert(0, "Turvallinen yö")
        text_at(fork_doc, "path/goals").insert(0, "Vähemmän laitoshoitoa")
        adopted = await open_page(fork["id"], fork["owner_token"])
        origin = await open_page(workshop_id, tokens["owner"])
        await expect(adopted.locator("[data-field='path/goals'] .cm-line")).to_have_text(
            "Vähemmän laitoshoitoa"
        )
        await expect(origin.locator("[data-field='model/purpose'] .cm-line")).to_have_text(
            "Turvallinen yö"
        )

    await adopted.get_by_role("button", name="Tarkista muutokset").click()
    await expect(adopted.locator("#upstream-changes fieldset")).to_have_count(1)
    await assert_accessible(adopted, "a fork's review of upstream changes")
    await origin.get_by_role("button", name="Hae ehdotukset").click()
    await expect(origin.locator("#proposal-list fieldset")).to_have_count(1)
    await assert_accessible(origin, "the origin's review of a fork's proposals")


async def test_a_page_whose_link_was_revoked_passes_axe(
    server: ServerProcess, open_page: OpenPage, page_problems: PageProblems
) -> None:
    page_problems.expect("status of 403")
    workshop_id, tokens = await new_workshop(server, "editor")
    page = await open_page(workshop_id, tokens["editor"])
    async with ApiClient(server.http_url) as api:
        links = (await api.get(f"/api/workshops/{workshop_id}/links", token=tokens["owner"])).json()
        link = next(item for item in links["items"] if item["role"] == "editor")
        path = f"/api/workshops/{workshop_id}/links/{link['id']}"
        await api.delete(path, token=tokens["owner"])
    await expect(page.locator("#notice")).to_contain_text("peruttu")
    await assert_accessible(page, "a page whose link was revoked")


async def test_the_front_page_the_refusals_and_the_admin_view_pass_axe(
    server: ServerProcess, browser: Browser
) -> None:
    _, tokens = await new_workshop(server)
    context = await browser.new_context(locale="fi-FI")
    problems = PageProblems()
    problems.expect("status of 404")
    page = problems.watch(await context.new_page())
    await page.goto(f"{server.http_url}/?q=yöpartio")
    await expect(page.locator("#results li").first).to_be_visible()
    await assert_accessible(page, "the front page with search results")
    await page.goto(f"{server.http_url}/workshops/no-such-workshop")
    await assert_accessible(page, "the refusal of an unknown workshop")
    await page.goto(f"{server.http_url}/admin?token={tokens['owner']}")
    await expect(page.locator("h1")).to_have_text("Ylläpito")
    await assert_accessible(page, "the admin view")
    await context.close()
    assert problems.found == []


async def settle(page: Page) -> None:
    """Wait for the page's fonts and layout after a resize."""
    await page.evaluate("() => document.fonts.ready.then(() => true)")


async def test_no_page_is_wider_than_a_phone_tablet_or_laptop_and_each_is_shot(
    server: ServerProcess, open_page: OpenPage, browser: Browser
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    other = await open_page(workshop_id, tokens["editor"])
    await other.get_by_label("Nimesi").fill("Aino Ahonen-Virtanen")
    await other.get_by_label("Nimesi").press("Enter")
    page = await open_page(workshop_id, tokens["owner"])
    await type_at_end(
        page, "matrix/political_administrative.finances", "Hyvinvointialueen budjetti"
    )
    await comment_on(page, "matrix/political_administrative.finances", 0, 14, "Mikä osuus?")
    await page.get_by_role("button", name="Lisää osatekijä").click()
    await page.keyboard.type("Arviointikäynti kotona")
    await type_at_end(other, "matrix/political_administrative.finances", " ja valtionosuus")
    front = await browser.new_context(locale="fi-FI")
    pages = {
        "front": (await front.new_page(), f"{server.http_url}/"),
        "admin": (await front.new_page(), f"{server.http_url}/admin?token={tokens['owner']}"),
        "refused": (await front.new_page(), f"{server.http_url}/workshops/{workshop_id}x"),
    }
    for shown, url in pages.values():
        await shown.goto(url)
    pages["workshop"] = (page, page.url)
    SCREENSHOTS.mkdir(exist_ok=True)

    for device, width in WIDTHS.items():
        for name, (shown, _url) in pages.items():
            await shown.set_viewport_size({"width": width, "height": HEIGHT})
            await settle(shown)
            scroll_width, inner_width = await shown.evaluate(OVERFLOW)
            assert scroll_width <= inner_width, f"{name} at {width} px is {scroll_width} px wide"
            assert await shown.evaluate(WORDS_BROKEN) == [], f"{name} at {width} px"
            await shown.evaluate("() => window.scrollTo(0, 0)")
            await shown.screenshot(path=SCREENSHOTS / f"{name}-{device}.png", full_page=True)
    await front.close()


async def test_on_a_phone_the_matrix_shows_one_perspective_at_a_time_full_width(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server)
    page = await open_page(workshop_id, tokens["owner"])
    field = "matrix/organisational.laws"
    await type_at_end(page, field, "Sosiaalihuoltolaki")
    await comment_on(page, field, 0, 6, "Mikä pykälä?")
    await page.set_viewport_size({"width": WIDTHS["phone"], "height": HEIGHT})

    matrix = page.locator("section.part[data-part=matrix]")
    switch = matrix.get_by_role("group", name="Näytettävä näkökulma")
    await expect(switch).to_be_visible()
    cells = matrix.locator("td .field")
    visible = matrix.locator("td:visible .field")
    await expect(cells).to_have_count(24)
    await expect(visible).to_have_count(6)
    text_width = await matrix.locator(".part-text").evaluate("node => node.clientWidth")
    for width in await visible.evaluate_all("nodes => nodes.map(node => node.offsetWidth)"):
        assert width >= text_width - 2, (width, text_width)
    assert await visible.first.get_attribute("data-field") == "matrix/client.actors"

    await switch.get_by_label("Organisatorinen näkökulma").check()
    await expect(visible).to_have_count(6)
    assert await visible.first.get_attribute("data-field") == "matrix/organisational.actors"
    await switch.get_by_label("Asiakasnäkökulma").check()
    # "Show in the text" switches to the perspective the comment's words are in.
    await matrix.locator(".threads li.thread").get_by_role("button", name="Näytä tekstissä").click()
    await expect(switch.get_by_label("Organisatorinen näkökulma")).to_be_checked()
    await expect(page.locator(f'.cm-content[data-field="{field}"]')).to_be_focused()
