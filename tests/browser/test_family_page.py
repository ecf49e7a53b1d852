"""The family page and the model page in Chromium: the example family's graph and table with the
current member marked, members side by side with a fork's changes marked and the unchanged
cells folded, a private adoption only as its placeholder, a renamed adoption seen from its
origin, every word from the page's language, and the model printed to PDF."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect
from pypdf import PdfReader

from documents.demo_content import ADOPTIONS, ROOT_TITLE
from documents.lineage_service import fork
from documents.store.factory import create_store
from documents.workshop_service import create_workshop, stored_snapshot
from tests.browser.conftest import OpenPage
from tests.browser.pages import PAGE_WORDS
from tests.support.api import ApiClient
from tests.support.axe import assert_accessible
from tests.support.browser import PageProblems
from tests.support.server import ServerProcess
from tests.support.untranslated import untranslated

pytestmark = pytest.mark.asyncio(loop_scope="module")

BATCH = 12  # adoptions shown per member until the reader asks for more (family_graph.js)

OpenFamily = Callable[..., Awaitable[Page]]


async def example(server: ServerProcess) -> list[str]:
    """The example family's ids, the root first (made by the front page's button)."""
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        shown = await http.post("/example", headers={"Origin": server.http_url})
    root = shown.headers["location"].removeprefix("/workshops/")
    async with ApiClient(server.http_url) as api:
        lineage = (await api.get(f"/api/workshops/{root}/lineage")).json()
    return [node["id"] for node in lineage["nodes"]]


@pytest_asyncio.fixture(loop_scope="module")
async def open_family(browser: Browser, server: ServerProcess) -> AsyncIterator[OpenFamily]:
    """A workshop's family page (anonymous, or by a share link's token) in a context of its
    own, once it has drawn the graph and compared; no page may log an error."""
    problems = PageProblems()
    contexts = []

    async def open_page(workshop_id: str, token: str | None = None) -> Page:
        context = await browser.new_context(locale="fi-FI")
        contexts.append(context)
        page = problems.watch(await context.new_page())
        query = f"?token={token}" if token else ""
        await page.goto(f"{server.http_url}/workshops/{workshop_id}/family{query}")
        await expect(page.locator("main#family")).to_have_attribute("data-ready", "true")
        return page

    yield open_page
    for context in contexts:
        await context.close()
    assert problems.found == []


async def test_the_example_family_shows_every_member_in_the_graph_and_the_table(
    server: ServerProcess, open_family: OpenFamily
) -> None:
    root, keitele, tervo = await example(server)
    page = await open_family(keitele)

    graph = page.locator("#graph svg .member")
    await expect(graph).to_have_count(3)
    assert await graph.evaluate_all("nodes => nodes.map(n => n.dataset.member)") == [
        root,
        keitele,
        tervo,
    ]
    current = page.locator("#graph svg [aria-current=page]")
    await expect(current).to_have_attribute("data-member", keitele)
    # A long name in two lines, and whole in the node's title.
    await expect(current.locator("text.title")).to_have_text(
        ["Hoidon tarpeen arviointi ja", "takaisinsoitto (Keitele)"]
    )
    await expect(current.locator("title")).to_contain_text(ADOPTIONS[0]["title"])
    await expect(page.locator(f'#graph svg [data-member="{root}"]')).to_contain_text(
        "Käytössä 2 paikassa"
    )
    rows = page.locator("#members tbody tr")
    await expect(rows).to_have_count(3)
    await expect(rows.nth(0)).to_contain_text(ROOT_TITLE)
    await expect(rows.nth(0)).to_contain_text("Pielaveden terveysasema")
    await expect(page.locator("#members tr.current")).to_have_attribute("data-member", keitele)
    await expect(page.locator("#members a[aria-current=page]")).to_have_text(ADOPTIONS[0]["title"])
    await expect(page.locator("#in-use-root")).to_contain_text("2 paikassa")
    texts = await page.evaluate(PAGE_WORDS)
    members = [ROOT_TITLE, *(a["title"] for a in ADOPTIONS)]
    typed = await page.locator("#comparison td .text, #evaluations dd").evaluate_all(
        "nodes => nodes.map(node => node.textContent)"
    )
    places = ["Pielaveden terveysasema", "Keiteleen terveysasema", "Tervon kunta"]
    places += ["Tervon terveysasema", "Pielavesi, Pohjois-Savon hyvinvointialue"]
    places += ["Keitele, Pohjois-Savon hyvinvointialue"]
    component_titles = await page.locator("#comparison th[scope=row]").evaluate_all(
        "nodes => nodes.map(node => node.textContent)"
    )
    # The graph's nodes shorten long names and facts to fit (the full ones are in their title).
    shortened = await page.locator("#graph svg text:not(.in-use):not(.more)").evaluate_all(
        "nodes => nodes.map(node => node.textContent)"
    )
    data = [*members, *typed, *places, *component_titles, *shortened, "\u2013", "\u00b7"]
    assert untranslated(texts, "fi", data) == []
    await assert_accessible(page, "the family page of an adoption")


async def test_side_by_side_marks_what_a_fork_changed_and_folds_the_rest(
    server: ServerProcess, open_family: OpenFamily
) -> None:
    root, keitele, _ = await example(server)
    page = await open_family(root)
    assert await page.locator("main#family").get_attribute("data-compared") == f"{root},{keitele}"

    model = page.locator('section.part[data-part="model"]')
    changed = model.locator('tr[data-cell="model/operating_environment"] td')
    await expect(changed.nth(0)).not_to_have_class("change-rewritten")
    await expect(changed.nth(1)).to_have_class("change-rewritten")
    await expect(changed.nth(1).locator(".mark")).to_have_text("muutettu tässä")
    added = model.locator('tr[data-cell="model/components/d3e1e7e1e0000005"]')
    await expect(added.locator("th")).to_have_text(
        "Keskeiset osatekijät / toteutuksen vaiheet: Etävastaanotto videoyhteydellä"
    )
    await expect(added.locator("td").nth(1).locator(".mark")).to_have_text("lisätty tässä")
    folded = model.locator("details.unchanged")
    await expect(folded.locator("summary")).to_have_text("6 kohtaa, joita kukaan ei muuttanut")
    unchanged = folded.locator('tr[data-cell="model/purpose"]')
    await expect(unchanged).to_be_hidden()
    await folded.locator("summary").click()
    await expect(unchanged).to_be_visible()
    path = page.locator('section.part[data-part="path"]')
    await expect(path).to_contain_text("Mikään toteutus ei muuttanut tätä osaa.")

    await assert_accessible(page, "the family page with a fold open")
    await page.get_by_label("Vain kohdat, joissa toteutukset eroavat").check()
    await expect(unchanged).to_be_hidden()
    await expect(model.locator('tr[data-cell="model/operating_environment"]')).to_be_visible()

    cards = page.locator("#evaluations article.evaluation")
    await expect(cards).to_have_count(2)
    await expect(cards.nth(1)).to_contain_text("Keiteleen terveysasema")
    await expect(cards.nth(1)).to_contain_text("Videovastaanottoja 12 kuukaudessa")

    # The reader chooses: the third generation too.
    await page.locator("#members tbody tr").nth(2).get_by_role("checkbox").check()
    await page.get_by_role("button", name="Vertaa valittuja").click()
    await expect(cards).to_have_count(3)


async def test_a_private_adoption_shows_only_as_its_placeholder_to_an_anonymous_reader(
    server: ServerProcess, open_family: OpenFamily
) -> None:
    async with ApiClient(server.http_url) as api:
        body = {"title": "Muistihoitajan vastaanotto", "organisation": "Iisalmi"}
        origin = (await api.post("/api/workshops", json=body)).json()
        adoption = {"organisation": "Salainen kunta", "reason": "Kokeilemme hiljaa"}
        hidden = (await api.post(f"/api/workshops/{origin['id']}/fork", json=adoption)).json()
        await api.patch(
            f"/api/workshops/{hidden['id']}",
            token=hidden["owner_token"],
            json={"visibility": "private"},
        )
    page = await open_family(origin["id"])

    placeholder = page.locator(f'#graph svg [data-member="{hidden["id"]}"]')
    await expect(placeholder).to_contain_text("yksityinen käyttöönotto")
    await expect(placeholder).to_have_attribute("role", "img")
    await expect(page.locator(f'#members tr[data-member="{hidden["id"]}"]')).to_contain_text(
        "yksityinen käyttöönotto"
    )
    await expect(page.locator("#comparison")).to_contain_text(
        "1 verstas on yksityinen tai poistettu"
    )
    assert "Salainen" not in await page.content()
    await assert_accessible(page, "the family page with a private adoption")

    # Its own owner reads it: the private adoption shows by its name on its own family page.
    own = await open_family(hidden["id"], hidden["owner_token"])
    mine = own.locator("#graph svg [aria-current=page]")
    await expect(mine).to_have_attribute("data-member", hidden["id"])
    await expect(mine.locator("text.title")).to_have_text(
        ["Muistihoitajan vastaanotto (Salainen", "kunta)"]
    )
    # ... and its texts are compared beside its origin's.
    cards = own.locator("#evaluations article.evaluation")
    await expect(cards).to_have_count(2)
    await expect(cards.nth(1).locator("h3")).to_have_text(
        "Muistihoitajan vastaanotto (Salainen kunta)"
    )


async def test_a_fork_renamed_on_its_page_shows_renamed_in_the_origins_family(
    server: ServerProcess, open_page: OpenPage, open_family: OpenFamily
) -> None:
    async with ApiClient(server.http_url) as api:
        body = {"title": "Kotikuntoutus", "organisation": "Kuopio"}
        origin = (await api.post("/api/workshops", json=body)).json()
        adoption = {"organisation": "Siilinjärvi", "reason": "Sama tarve"}
        fork = (await api.post(f"/api/workshops/{origin['id']}/fork", json=adoption)).json()
    assert fork["title"] == "Kotikuntoutus (Siilinjärvi)"
    owner = await open_page(fork["id"], fork["owner_token"])
    await expect(owner.locator("#origin")).to_contain_text(
        "Otettu käyttöön mallista Kotikuntoutus, jonka kehitti Kuopio"
    )
    await owner.get_by_role("button", name="Nimeä uudelleen").click()
    await owner.get_by_label("Uusi nimi").fill("Siilinjärven kotikuntoutus")
    await owner.get_by_role("button", name="Tallenna nimi").click()
    await expect(owner.locator("#workshop-title")).to_have_text("Siilinjärven kotikuntoutus")
    await expect(owner.locator("#status")).to_have_text("Verstas on nimetty uudelleen.")

    family = await open_family(origin["id"])
    await expect(
        family.locator(f'#graph svg [data-member="{fork["id"]}"] text.title')
    ).to_have_text("Siilinjärven kotikuntoutus")
    await expect(family.locator(f'#members tr[data-member="{fork["id"]}"]')).to_contain_text(
        "Siilinjärven kotikuntoutus"
    )


async def test_the_model_page_reads_without_javascript_and_prints_to_a4_with_its_components(
    server: ServerProcess, browser: Browser
) -> None:
    root, *_ = await example(server)
    # axe runs as a script in the page: it reads the page in a browser that runs scripts
    # (the model page has none of its own, so it is the same page).
    checked = await browser.new_context(locale="fi-FI")
    try:
        page = await checked.new_page()
        await page.goto(f"{server.http_url}/workshops/{root}/model")
        await assert_accessible(page, "the model page")
    finally:
        await checked.close()
    context = await browser.new_context(locale="fi-FI", java_script_enabled=False)
    try:
        page = await context.new_page()
        await page.goto(f"{server.http_url}/workshops/{root}/model")
        await expect(page.locator("h1")).to_have_text("Hoitaja soittaa takaisin")
        await expect(page.locator("#in-use")).to_contain_text("Käytössä 2 muussa paikassa.")
        og: Any = await page.locator('meta[property="og:title"]').get_attribute("content")
        assert og == "Hoitaja soittaa takaisin"
        await page.emulate_media(media="print")
        await expect(page.locator("#adopt")).to_be_hidden()
        pdf = await page.pdf(prefer_css_page_size=True, print_background=False)
    finally:
        await context.close()

    reader = PdfReader(io.BytesIO(pdf))
    width, height = (float(value) for value in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    components = [
        "Yksi numero ja soittopyyntö",
        "Hoitajan arvio puhelimessa",
        "Oikea ammattilainen kerralla",
        "Viikoittainen vuorosuunnittelu",
    ]
    found = [text.find(title) for title in components]
    assert -1 not in found, text[:2000]
    assert found == sorted(found)
    assert "Ota malli käyttöön" not in text
    assert text.find("Hoitaja soittaa takaisin") < found[0] < text.find("Päätös käyttöönotosta")


async def test_a_large_family_shows_the_neighbourhood_and_grows_on_request(
    server: ServerProcess, open_family: OpenFamily
) -> None:
    """Six hundred adoptions of one model: the page draws the line from the root to the
    current workshop and a dozen of the root's adoptions, and more only when asked."""
    store = create_store(server.database_url, sqlite_synchronous="NORMAL")
    await store.open()
    try:
        root, _ = await create_workshop(store.workshops, {"title": "Suuri", "organisation": "A"})
        state, position = await stored_snapshot(store, root.id)

        async def as_it_is(name: str) -> tuple[bytes, int]:
            return state, position

        adoptions = [
            (
                await fork(
                    store, as_it_is, root, organisation=f"Kunta {n}", reason="Sama", forked_by=None
                )
            )[0]
            for n in range(600)
        ]
    finally:
        await store.close()
    current = adoptions[400]
    page = await open_family(current.id)

    nodes = page.locator("#graph svg .member")
    await expect(nodes).to_have_count(BATCH + 2)  # the root, a dozen, and the current one
    await expect(page.locator("#graph svg [aria-current=page]")).to_have_attribute(
        "data-member", current.id
    )
    await expect(page.locator("#hidden-note")).to_contain_text("587 verstasta ei näy")
    rows = page.locator("#members tbody tr")
    await expect(rows).to_have_count(BATCH + 2)
    await page.locator(f'[data-expand="{root.id}"]').click()
    await expect(rows).to_have_count(2 * BATCH + 2)
    await expect(nodes).to_have_count(2 * BATCH + 2)
    await expect(page.locator("#status")).to_have_text("Lisää käyttöönottoja näkyvissä.")
    await assert_accessible(page, "a large family's page, grown")
