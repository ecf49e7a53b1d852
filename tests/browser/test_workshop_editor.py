"""The workshop page in Chromium: every text of the content document is a live editor that real
Yjs peers (other browsers, a pycrdt client) see and change, within the page's role, by keyboard;
and the reorderable lists (components, ideas) kept alike everywhere.

What the server stores is read back through the export API, so a test passes only when the
browser's edits went through the websocket and were committed.
"""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from documents.access import DocumentKind
from documents.workshop_doc import load_document, text_at
from tests.browser.conftest import OpenPage, new_workshop
from tests.browser.pages import editor, shows, stored, texts_are, type_at_end
from tests.support.conditions import wait_for, wait_until
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT_FIELDS = 6 + 24 + 5 + 5  # operating model, matrix, development path, evaluation


async def test_two_browsers_editing_one_cell_see_each_other_and_converge(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    first = await open_page(workshop_id, tokens["owner"])
    second = await open_page(workshop_id, tokens["editor"])
    cell = "matrix/client.actors"

    await type_at_end(first, cell, "Asiakas ja omainen")
    await shows(second, cell, "Asiakas ja omainen")
    await type_at_end(second, cell, ", yöhoitaja")
    await shows(first, cell, "Asiakas ja omainen, yöhoitaja")

    async def committed() -> bool:
        content = await stored(server, workshop_id, tokens["owner"])
        return bool(content["matrix"]["client"]["actors"] == "Asiakas ja omainen, yöhoitaja")

    await wait_for(committed, what="both browsers' words in the database")


async def test_a_browser_and_a_python_client_converge(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    page = await open_page(workshop_id, tokens["editor"])
    field = "model/purpose"
    doc = load_document(DocumentKind.CONTENT)

    async with python_client(server.http_url, workshop_id, doc, token=tokens["editor"]):
        text_at(doc, field).insert(0, "Turvallinen yö kotona")
        await shows(page, field, "Turvallinen yö kotona")
        await type_at_end(page, field, " ilman laitoshoitoa")
        await wait_until(
            lambda: str(text_at(doc, field)) == "Turvallinen yö kotona ilman laitoshoitoa",
            what="the browser's words in the Python client",
        )


async def test_a_viewer_sees_edits_live_and_can_change_nothing(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "viewer", "editor")
    viewer = await open_page(workshop_id, tokens["viewer"])
    writer = await open_page(workshop_id, tokens["editor"])
    field = "path/needs"

    await expect(viewer.get_by_text("Rooli: lukija \N{EN DASH} vain luku")).to_be_visible()
    await expect(editor(viewer, field)).to_have_attribute("aria-readonly", "true")
    await editor(viewer, field).click()
    await viewer.keyboard.type("katsoja kirjoittaa")
    await viewer.keyboard.press("Enter")
    await type_at_end(writer, field, "Yöllinen turva")

    await shows(viewer, field, "Yöllinen turva")
    content = await stored(server, workshop_id, tokens["owner"])
    assert content["path"]["needs"] == "Yöllinen turva"


async def test_presence_shows_each_person_with_the_role_the_server_stamped(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor", "commenter")
    editor_page = await open_page(workshop_id, tokens["editor"])
    commenter_page = await open_page(workshop_id, tokens["commenter"])

    await editor_page.get_by_label("Nimesi").fill("Aino")
    await editor_page.get_by_label("Nimesi").press("Enter")
    await commenter_page.get_by_label("Nimesi").fill("Ville")
    await commenter_page.get_by_label("Nimesi").press("Enter")

    present = commenter_page.locator("#present li")
    await expect(present).to_have_text(["Ville (kommentoija), sinä", "Aino (muokkaaja)"])
    await expect(editor_page.locator("#present li")).to_have_text(
        ["Aino (muokkaaja), sinä", "Ville (kommentoija)"]
    )


async def test_every_text_is_a_labelled_editor_reached_by_tab_alone(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server)
    page = await open_page(workshop_id, tokens["owner"])

    labels = await page.locator(".cm-content").evaluate_all(
        "nodes => nodes.map(node => node.getAttribute('aria-label'))"
    )
    assert len(labels) == TEXT_FIELDS
    assert all(labels)
    assert len(set(labels)) == TEXT_FIELDS
    assert "Asiakasnäkökulma: Toimijat" in labels

    await page.get_by_label("Nimesi").focus()
    await page.keyboard.press("Tab")
    await expect(page.locator("#comment-selection")).to_be_focused()
    await page.keyboard.press("Tab")  # the section navigation: its first part is the model
    await expect(page.get_by_role("link", name="Toimintamalli")).to_be_focused()
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Yöpartio")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Hoitajapari kiertää öisin")
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.type(" Kuopio")

    async def typed() -> bool:
        model = (await stored(server, workshop_id, tokens["owner"]))["model"]
        return bool(
            model["name"] == "Yöpartio Kuopio"
            and model["short_description"] == "Hoitajapari kiertää öisin"
        )

    await wait_for(typed, what="the keyboard-typed texts in the database")


async def test_undo_takes_back_only_ones_own_typing(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    mine = await open_page(workshop_id, tokens["owner"])
    theirs = await open_page(workshop_id, tokens["editor"])
    field = "evaluation/results"

    await type_at_end(mine, field, "Käynnit")
    await shows(theirs, field, "Käynnit")
    await type_at_end(theirs, field, " vähenivät")
    await shows(mine, field, "Käynnit vähenivät")
    await editor(mine, field).focus()
    await mine.keyboard.press("Control+z")

    await shows(theirs, field, " vähenivät")
    await mine.keyboard.press("Control+y")
    await shows(theirs, field, "Käynnit vähenivät")


async def test_components_are_added_edited_and_reordered_alike_everywhere(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    first = await open_page(workshop_id, tokens["owner"])
    second = await open_page(workshop_id, tokens["editor"])
    add = first.get_by_role("button", name="Lisää osatekijä")

    for title in ("Arviointikäynti", "Yökäynnit", "Seuranta"):
        await add.click()
        await first.keyboard.type(title)  # the new component's title has the focus
    items = second.locator("#component-list .item")
    await expect(items).to_have_count(3)
    moving = second.locator(f'[data-item="{await items.nth(2).get_attribute("data-item")}"]')
    up = moving.get_by_role("button", name="Siirrä ylös")
    await up.click()
    await expect(up).to_be_focused()
    await second.keyboard.press("Enter")  # the focus stayed on the button: up once more

    async def listed() -> list[str]:
        content = await stored(server, workshop_id, tokens["owner"])
        return [component["title"] for component in content["components"]]

    async def order_is(expected: list[str]) -> bool:
        return await listed() == expected

    await wait_for(
        lambda: order_is(["Seuranta", "Arviointikäynti", "Yökäynnit"]),
        what="the moved component first in the database",
    )
    titles = first.locator("#component-list .cm-content[aria-label^='Osatekijän otsikko']")
    await wait_for(
        lambda: texts_are(titles, ["Seuranta", "Arviointikäynti", "Yökäynnit"]),
        what="the same order on the first page",
    )
    remove = first.locator("#component-list .item").nth(1)
    await remove.get_by_role("button", name="Poista").click()
    await expect(items).to_have_count(2)
    await wait_for(lambda: order_is(["Seuranta", "Yökäynnit"]), what="the removal in the database")


async def test_ideas_are_noted_voted_on_and_put_in_order(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    facilitator = await open_page(workshop_id, tokens["owner"])
    participant = await open_page(workshop_id, tokens["editor"])
    add = facilitator.get_by_role("button", name="Lisää idea")
    for text in ("Yöhoitajan puhelin", "Turvaranneke"):
        await add.click()
        await facilitator.keyboard.type(text)  # the new note has the focus
    notes = participant.locator("#idea-list .item")
    await expect(notes).to_have_count(2)
    second = await notes.nth(1).get_attribute("data-item")

    for page in (facilitator, participant):
        vote = page.locator(f'#idea-list [data-item="{second}"] [data-action="vote"]')
        await vote.click()
        await expect(vote).to_have_attribute("aria-pressed", "true")
    await expect(
        facilitator.locator(f'#idea-list [data-item="{second}"] [data-action="vote"]')
    ).to_have_text("Peru ääni · 2")
    note = facilitator.locator(f'#idea-list [data-item="{second}"]')
    await note.get_by_role("button", name="Siirrä ylös").click()

    async def prioritised() -> bool:
        ideas = (await stored(server, workshop_id, tokens["owner"]))["ideas"]
        return bool(
            [idea["text"] for idea in ideas] == ["Turvaranneke", "Yöhoitajan puhelin"]
            and [len(idea["votes"]) for idea in ideas] == [2, 0]
        )

    await wait_for(prioritised, what="the voted idea first, with both votes, in the database")
