"""The workshop page in Chromium: every text of the content document is a live editor that real
Yjs peers (other browsers, a pycrdt client) see and change, within the page's role, by keyboard.

What the server stores is read back through the export API, so a test passes only when the
browser's edits went through the websocket and were committed.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Dialog, Page, expect

from documents.access import DocumentKind
from documents.workshop_doc import load_document, text_at
from tests.browser.conftest import OpenPage, new_workshop
from tests.support.api import ApiClient
from tests.support.conditions import wait_for, wait_until
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT_FIELDS = 6 + 24 + 5 + 5  # operating model, matrix, development path, evaluation


def editor(page: Page, field: str) -> Any:
    return page.locator(f'.cm-content[data-field="{field}"]')


# The editor's text as its lines hold it, without the carets (and names) of remote peers.
TEXT_WITHOUT_CARETS = """node => {
    const copy = node.cloneNode(true)
    copy.querySelectorAll('.cm-ySelectionCaret').forEach(caret => caret.remove())
    return [...copy.querySelectorAll('.cm-line')].map(line => line.textContent).join('\\n')
}"""


async def shows(page: Page, field: str, text: str) -> None:
    """Wait until the page's editor of `field` holds exactly `text`."""

    async def holds() -> bool:
        return bool(await editor(page, field).evaluate(TEXT_WITHOUT_CARETS) == text)

    await wait_for(holds, timeout=15, what=f"{text!r} in {field} on {page.url}")


async def stored(server: ServerProcess, workshop_id: str, token: str) -> dict[str, Any]:
    async with ApiClient(server.http_url) as api:
        export = await api.get(f"/api/workshops/{workshop_id}/export.json", token=token)
    content: dict[str, Any] = export.json()["content"]
    return content


async def type_at_end(page: Page, field: str, words: str) -> None:
    await editor(page, field).click()
    await page.keyboard.press("Control+End")
    await page.keyboard.type(words)


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

    await expect(viewer.get_by_text("vain luku (read only)")).to_be_visible()
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

    await editor_page.get_by_label("Nimesi (your name)").fill("Aino")
    await editor_page.get_by_label("Nimesi (your name)").press("Enter")
    await commenter_page.get_by_label("Nimesi (your name)").fill("Ville")
    await commenter_page.get_by_label("Nimesi (your name)").press("Enter")

    present = commenter_page.locator("#present li")
    await expect(present).to_have_text(["Ville (commenter), sinä (you)", "Aino (editor)"])
    await expect(editor_page.locator("#present li")).to_have_text(
        ["Aino (editor), sinä (you)", "Ville (commenter)"]
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

    await page.get_by_label("Nimesi (your name)").focus()
    await page.keyboard.press("Tab")
    await expect(page.locator("#comment-selection")).to_be_focused()
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


async def select_in(page: Page, field: str, start: int, length: int) -> None:
    """Select characters by keyboard alone, as a reader without a mouse would."""
    await editor(page, field).focus()
    await page.keyboard.press("Control+Home")
    for _ in range(start):
        await page.keyboard.press("ArrowRight")
    for _ in range(length):
        await page.keyboard.press("Shift+ArrowRight")


async def test_a_commenter_comments_on_words_that_keep_their_anchor_and_the_thread_lives(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "commenter")
    owner = await open_page(workshop_id, tokens["owner"])
    commenter = await open_page(workshop_id, tokens["commenter"])
    field = "matrix/professional.tasks"
    await type_at_end(owner, field, "Yöhoitaja käy kotona")
    await shows(commenter, field, "Yöhoitaja käy kotona")

    await select_in(commenter, field, 10, 3)
    await commenter.keyboard.press("Control+Alt+m")
    await expect(commenter.locator("#comment-quote")).to_contain_text("”käy”")
    await commenter.keyboard.type("Kuinka usein yössä?")
    await commenter.get_by_role("button", name="Lähetä (send)").click()

    thread = owner.locator("#threads li.thread")
    await expect(thread.locator("blockquote")).to_have_text("käy")
    await expect(editor(owner, field).locator(".cm-comment")).to_have_text("käy")
    await expect(thread.locator(".body")).to_have_text("Kuinka usein yössä?")
    await editor(owner, field).focus()
    await owner.keyboard.press("Control+Home")
    await owner.keyboard.type("Aina ")
    await shows(owner, field, "Aina Yöhoitaja käy kotona")
    await expect(editor(owner, field).locator(".cm-comment")).to_have_text("käy")
    await thread.get_by_role("button", name="Vastaa (reply)").click()
    await owner.keyboard.type("Kahdesti")
    await owner.locator("#reply-form").get_by_role("button", name="Vastaa (reply)").click()
    await thread.get_by_role("button", name="Merkitse ratkaistuksi (resolve)").click()

    seen = commenter.locator("#threads li.thread")
    await expect(seen.locator("blockquote")).to_have_text("käy")
    await expect(seen.locator(".replies li")).to_contain_text("Kahdesti")
    await expect(seen.locator(".meta").first).to_contain_text("ratkaistu (resolved)")
    await expect(editor(commenter, field).locator(".cm-comment")).to_have_count(0)

    async def exported() -> bool:
        async with ApiClient(server.http_url) as api:
            response = await api.get(
                f"/api/workshops/{workshop_id}/export.json", token=tokens["owner"]
            )
        threads = response.json()["comments"]
        return bool(
            len(threads) == 1
            and threads[0]["anchor"]["quote"] == "käy"
            and threads[0]["anchor"]["field"] == field
            and threads[0]["body"] == "Kuinka usein yössä?"
            and threads[0]["resolved"] is True
            and [reply["body"] for reply in threads[0]["replies"]] == ["Kahdesti"]
        )

    await wait_for(exported, what="the thread as the server reads it, anchored on 'käy'")


async def test_a_viewer_reads_comments_and_cannot_start_one(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "viewer")
    viewer = await open_page(workshop_id, tokens["viewer"])

    await expect(viewer.locator("#comment-selection")).to_be_hidden()
    await expect(viewer.locator("#threads-empty")).to_be_visible()
    await select_in(viewer, "model/purpose", 0, 0)
    await viewer.keyboard.press("Control+Alt+m")
    await expect(viewer.locator("#comment-form")).to_be_hidden()


async def texts_are(locator: Any, expected: list[str]) -> bool:
    texts = await locator.evaluate_all(f"nodes => nodes.map({TEXT_WITHOUT_CARETS})")
    return bool(texts == expected)


async def test_components_are_added_edited_and_reordered_alike_everywhere(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    first = await open_page(workshop_id, tokens["owner"])
    second = await open_page(workshop_id, tokens["editor"])
    add = first.get_by_role("button", name="Lisää osatekijä (add a component)")

    for title in ("Arviointikäynti", "Yökäynnit", "Seuranta"):
        await add.click()
        await first.keyboard.type(title)  # the new component's title has the focus
    items = second.locator("#component-list .item")
    await expect(items).to_have_count(3)
    moving = second.locator(f'[data-item="{await items.nth(2).get_attribute("data-item")}"]')
    up = moving.get_by_role("button", name="Siirrä ylös (move up)")
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
    await remove.get_by_role("button", name="Poista (remove)").click()
    await expect(items).to_have_count(2)
    await wait_for(lambda: order_is(["Seuranta", "Yökäynnit"]), what="the removal in the database")


async def test_a_model_adopted_on_its_page_pulls_upstream_changes_cell_by_cell(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server)
    origin = await open_page(workshop_id, tokens["owner"])
    await type_at_end(origin, "model/purpose", "Turva")
    await type_at_end(origin, "matrix/client.actors", "Asiakas")

    await origin.get_by_label("Organisaatio (organisation)").fill("Siilinjärvi")
    await origin.get_by_label("Miksi otatte mallin käyttöön? (why do you adopt it?)").fill(
        "Sama yöaukko"
    )
    await origin.get_by_role("button", name="Ota käyttöön (adopt)").click()
    link = origin.locator("#fork-result a")
    await expect(link).to_have_count(1)
    href = await link.get_attribute("href")
    assert href is not None
    fork_id, fork_token = href.removeprefix("/workshops/").split("?token=")
    await expect(origin.locator("#in-use tr")).to_have_count(1)
    await expect(origin.locator("#in-use")).to_contain_text("Siilinjärvi")

    adopted = await open_page(fork_id, fork_token)
    await expect(adopted.locator("#origin")).to_contain_text("Sama yöaukko")
    await shows(adopted, "model/purpose", "Turva")
    await type_at_end(origin, "model/purpose", " yöllä")
    await type_at_end(origin, "matrix/client.actors", " ja omainen")
    await shows(origin, "matrix/client.actors", "Asiakas ja omainen")

    await adopted.get_by_role("button", name="Tarkista muutokset (check for changes)").click()
    changes = adopted.locator("#upstream-changes fieldset")
    await expect(changes).to_have_count(2)
    await changes.filter(has_text="Käyttötarkoitus").get_by_label("Ota muutos (accept)").check()
    await changes.filter(has_text="Toimijat").get_by_label("Pidä oma (keep ours)").check()
    await adopted.get_by_role("button", name="Päivitä valinnoin (pull as chosen)").click()

    await shows(adopted, "model/purpose", "Turva yöllä")
    await expect(adopted.locator("#status")).to_contain_text("1 otettu, 1 pidetty omana")
    content = await stored(server, fork_id, fork_token)
    assert content["model"]["purpose"] == "Turva yöllä"
    assert content["matrix"]["client"]["actors"] == "Asiakas"


async def test_a_version_named_on_the_page_is_compared_and_restored_live(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    writer = await open_page(workshop_id, tokens["owner"])
    watcher = await open_page(workshop_id, tokens["editor"])
    field = "model/short_description"
    await type_at_end(writer, field, "Yöpartio kahdella hoitajalla")
    await shows(watcher, field, "Yöpartio kahdella hoitajalla")

    await writer.get_by_label("Version nimi (name a version of the content as it is now)").fill(
        "Ennen kokeilua"
    )
    await writer.get_by_role("button", name="Tallenna versio (save a version)").click()
    saved = writer.locator("#version-list li").filter(has_text="Ennen kokeilua")
    await expect(saved).to_have_count(1)
    await type_at_end(writer, field, " ja turvapuhelimella")
    await shows(watcher, field, "Yöpartio kahdella hoitajalla ja turvapuhelimella")

    await saved.get_by_role("button", name="Vertaa nykyiseen (compare with now)").click()
    diff = writer.locator("#version-diff li")
    await expect(diff).to_have_count(1)
    await expect(diff.locator("ins")).to_have_text(
        "Yöpartio kahdella hoitajalla ja turvapuhelimella"
    )

    async def confirm(dialog: Dialog) -> None:
        assert "Ennen kokeilua" in dialog.message
        await dialog.accept()

    writer.once("dialog", confirm)
    await saved.get_by_role("button", name="Palauta (restore)").click()

    await shows(watcher, field, "Yöpartio kahdella hoitajalla")
    await shows(writer, field, "Yöpartio kahdella hoitajalla")
    await expect(writer.locator("#status")).to_contain_text("1 kenttää muuttui")


async def test_an_origin_owner_accepts_a_forks_proposal_cell_by_cell(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server)
    async with ApiClient(server.http_url) as api:
        adoption = {"organisation": "Kuopio", "reason": "Sama tarve"}
        fork = (await api.post(f"/api/workshops/{workshop_id}/fork", json=adoption)).json()
    adopter = await open_page(fork["id"], fork["owner_token"])
    await type_at_end(adopter, "model/name", "Yöpartio")
    await type_at_end(adopter, "path/goals", "Vähemmän laitoshoitoa")
    origin = await open_page(workshop_id, tokens["owner"])

    async def offered() -> bool:
        async with ApiClient(server.http_url) as api:
            path = f"/api/workshops/{workshop_id}/proposals"
            items = (await api.get(path, token=tokens["owner"])).json()["items"]
        return bool(items and len(items[0]["changes"]) == 2)

    await wait_for(offered, what="both of the fork's edits committed and on offer")
    await origin.get_by_role("button", name="Hae ehdotukset (fetch proposals)").click()
    offer = origin.locator("#proposal-list form")
    await expect(offer).to_have_count(1)
    await expect(offer.locator("h4")).to_have_text("Kuopio ehdottaa (proposes)")
    cells = offer.locator("fieldset")
    await cells.filter(has_text="Toimintamallin nimi").get_by_label("Ota muutos (accept)").check()
    await cells.filter(has_text="Tavoitteet").get_by_label("Pidä oma (keep ours)").check()
    await offer.get_by_role("button", name="Hyväksy valinnoin (accept as chosen)").click()

    await shows(origin, "model/name", "Yöpartio")
    await expect(origin.locator("#status")).to_contain_text("1 hyväksytty, 1 hylätty")
    content = await stored(server, workshop_id, tokens["owner"])
    assert content["path"]["goals"] == ""


async def test_the_owner_gives_out_a_link_per_role_and_revoking_one_ends_its_page(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server)
    owner = await open_page(workshop_id, tokens["owner"])

    await owner.get_by_role("button", name="Uusi linkki: muokkaaja (editor)").click()
    link = owner.locator("#link-list li").filter(has_text="editor")
    await expect(link).to_have_count(1)
    url = await link.locator("input").input_value()
    token = url.split("?token=")[1]
    editor_page = await open_page(workshop_id, token)
    await expect(editor_page.get_by_text("Rooli / role: editor")).to_be_visible()
    await type_at_end(editor_page, "path/needs", "Turva")
    await shows(owner, "path/needs", "Turva")

    await link.get_by_role("button", name="Peru linkki (revoke)").click()
    await expect(owner.locator("#link-list li").filter(has_text="editor")).to_have_count(0)
    await expect(editor_page.locator("main#workshop")).to_have_attribute(
        "data-connection", "refused"
    )
    await expect(editor_page.locator("#status")).to_contain_text("4403")


async def test_ideas_are_noted_voted_on_and_put_in_order(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    facilitator = await open_page(workshop_id, tokens["owner"])
    participant = await open_page(workshop_id, tokens["editor"])
    add = facilitator.get_by_role("button", name="Lisää idea (add an idea)")
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
    ).to_have_text("Peru ääni (unvote) · 2")
    note = facilitator.locator(f'#idea-list [data-item="{second}"]')
    await note.get_by_role("button", name="Siirrä ylös (move up)").click()

    async def prioritised() -> bool:
        ideas = (await stored(server, workshop_id, tokens["owner"]))["ideas"]
        return bool(
            [idea["text"] for idea in ideas] == ["Turvaranneke", "Yöhoitajan puhelin"]
            and [len(idea["votes"]) for idea in ideas] == [2, 0]
        )

    await wait_for(prioritised, what="the voted idea first, with both votes, in the database")
