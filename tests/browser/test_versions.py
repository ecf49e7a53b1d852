"""The versions panel in Chromium: a restore keeps a comment's anchor, the list updates live in
another browser (and a stale comparison goes), any two versions are compared in a table, and
the whole path works from the keyboard alone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Dialog, Locator, Page, expect

from tests.browser.conftest import OpenPage, new_workshop
from tests.browser.pages import editor, select_in, shows, type_at_end
from tests.support.api import ApiClient
from tests.support.conditions import wait_for
from tests.support.server import ServerProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def name_version(page: Page, label: str) -> Locator:
    await page.get_by_label("Nimeä versio sisällöstä sellaisena kuin se nyt on").fill(label)
    await page.get_by_role("button", name="Tallenna versio").click()
    saved = page.locator("#version-list li").filter(has_text=label)
    await expect(saved).to_have_count(1)
    return saved


def confirm_restore(page: Page, label: str) -> None:
    async def confirm(dialog: Dialog) -> None:
        assert label in dialog.message
        await dialog.accept()

    page.once("dialog", confirm)


async def exported_threads(server: ServerProcess, workshop_id: str, token: str) -> Any:
    async with ApiClient(server.http_url) as api:
        response = await api.get(f"/api/workshops/{workshop_id}/export.json", token=token)
    return response.json()["comments"]


async def test_a_restore_keeps_a_comments_anchor(
    server: ServerProcess, open_page: OpenPage
) -> None:
    """Comment a word, edit elsewhere in the same cell, restore an earlier version: the thread
    still quotes its word and the word is still marked, on the page and in the export."""
    workshop_id, tokens = await new_workshop(server, "commenter")
    owner = await open_page(workshop_id, tokens["owner"])
    commenter = await open_page(workshop_id, tokens["commenter"])
    field = "matrix/client.actors"
    await type_at_end(owner, field, "Asiakas ja omainen")
    await shows(commenter, field, "Asiakas ja omainen")
    saved = await name_version(owner, "Alku")

    await select_in(commenter, field, 11, 7)
    await commenter.keyboard.press("Control+Alt+m")
    await commenter.keyboard.type("Kuka omainen?")
    await commenter.get_by_role("button", name="Lähetä").click()
    thread = owner.locator(".threads li.thread")
    await expect(thread.locator("blockquote")).to_have_text("omainen")
    await type_at_end(owner, field, " sopivat yhdessä")
    await shows(commenter, field, "Asiakas ja omainen sopivat yhdessä")

    confirm_restore(owner, "Alku")
    await saved.get_by_role("button", name="Palauta").click()
    await shows(commenter, field, "Asiakas ja omainen")
    await expect(owner.locator("#status")).to_contain_text("1 kenttä muuttui")
    for page in (owner, commenter):
        await expect(page.locator(".threads li.thread blockquote")).to_have_text("omainen")
        await expect(editor(page, field).locator(".cm-comment")).to_have_text("omainen")

    async def anchored() -> bool:
        threads = await exported_threads(server, workshop_id, tokens["owner"])
        return bool(threads and threads[0]["anchor"]["quote"] == "omainen")

    await wait_for(anchored, what="the export quoting the commented word after the restore")


async def test_the_list_updates_in_a_second_browser_and_a_restore_clears_its_comparison(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server, "editor")
    writer = await open_page(workshop_id, tokens["owner"])
    watcher = await open_page(workshop_id, tokens["editor"])
    field = "path/needs"
    await type_at_end(writer, field, "Turva yöllä")
    await shows(watcher, field, "Turva yöllä")

    await name_version(writer, "Ensimmäinen")
    seen = watcher.locator("#version-list li").filter(has_text="Ensimmäinen")
    await expect(seen).to_have_count(1)
    await expect(seen).to_contain_text("Vieras")  # signed with the person's name, not the role
    await type_at_end(writer, field, " ja päivällä")
    await shows(watcher, field, "Turva yöllä ja päivällä")
    await seen.get_by_role("button", name="Vertaa nykyiseen").click()
    await expect(watcher.locator("#version-diff tbody tr")).to_have_count(1)

    confirm_restore(writer, "Ensimmäinen")
    await (
        writer.locator("#version-list li")
        .filter(has_text="Ensimmäinen")
        .get_by_role("button", name="Palauta")
        .click()
    )
    await shows(watcher, field, "Turva yöllä")
    await expect(watcher.locator("#version-diff")).to_be_hidden()
    await expect(watcher.locator("#status")).to_contain_text("vertailu nykyiseen sisältöön")
    before = watcher.locator("#version-list li").first
    await expect(before).to_contain_text("Ennen palautusta")
    await expect(writer.locator("#version-list li").first).to_contain_text("Ennen palautusta")
    await expect(writer.locator("#status")).to_contain_text("Kumoa se palauttamalla")

    confirm_restore(watcher, "Ennen palautusta")
    await before.get_by_role("button", name="Palauta").click()
    await shows(writer, field, "Turva yöllä ja päivällä")


async def test_any_two_versions_are_compared_in_a_table(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server)
    page = await open_page(workshop_id, tokens["owner"])
    await type_at_end(page, "model/name", "Yöpartio")
    await name_version(page, "Yksi")
    await type_at_end(page, "path/goals", "Vähemmän laitoshoitoa")
    await name_version(page, "Kaksi")
    await type_at_end(page, "model/name", " Kuopio")

    await page.get_by_label("Mistä").select_option(label=await option(page, "Mistä", "Yksi"))
    await page.get_by_label("Mihin").select_option(label=await option(page, "Mihin", "Kaksi"))
    await page.get_by_role("button", name="Vertaa", exact=True).click()
    diff = page.locator("#version-diff")
    await expect(diff.get_by_role("heading", level=3)).to_contain_text("1 muutos: ”Yksi”")
    await expect(diff.get_by_role("heading", level=3)).to_be_focused()
    headers = diff.locator("thead th")
    await expect(headers).to_have_count(3)
    await expect(headers.nth(0)).to_have_text("Kenttä")
    await expect(headers.nth(1)).to_contain_text("Ennen: ”Yksi”")
    await expect(headers.nth(2)).to_contain_text("Jälkeen: ”Kaksi”")
    (row,) = await diff.locator("tbody tr").all()
    await expect(row.locator("th")).to_have_text("Tavoitteet")
    await expect(row.locator("td").nth(0)).to_have_text("(tyhjä)")
    await expect(row.locator("td").nth(1)).to_have_text("Vähemmän laitoshoitoa")

    await page.get_by_label("Mihin").select_option("now")
    await page.get_by_role("button", name="Vertaa", exact=True).click()
    await expect(diff.locator("tbody tr")).to_have_count(2)
    await diff.get_by_role("button", name="Sulje vertailu").click()
    await expect(diff).to_be_hidden()


async def option(page: Page, label: str, version: str) -> str:
    """The text of the option naming a version in the select labelled `label`."""
    texts = await page.get_by_label(label).locator("option").all_text_contents()
    (found,) = [text for text in texts if f"”{version}”" in text]
    return found


async def focus_by_tab(page: Page, target: Locator, limit: int = 120) -> None:
    """Press Tab until `target` has the focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        if await target.evaluate("node => node === document.activeElement"):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{target} not reached in {limit} Tab presses")


async def test_naming_comparing_and_restoring_by_keyboard_alone(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server)
    page = await open_page(workshop_id, tokens["owner"])
    field = "evaluation/trial"
    await type_at_end(page, field, "Kokeilu Kuopiossa")

    label = page.locator("#version-label")
    await focus_by_tab(page, label)
    await page.keyboard.type("Näppäimistöllä")
    await page.keyboard.press("Enter")
    saved = page.locator("#version-list li").filter(has_text="Näppäimistöllä")
    await expect(saved).to_have_count(1)
    await expect(page.locator("#status")).to_contain_text("Näppäimistöllä")
    await type_at_end(page, field, " ja Siilinjärvellä")

    await focus_by_tab(page, page.locator("#compare-from"))
    await expect(page.locator("#compare-from")).to_have_value(
        await saved.get_attribute("data-version") or ""
    )
    await page.keyboard.press("Tab")
    await expect(page.locator("#compare-to")).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    heading = page.locator("#version-diff h3")
    await expect(heading).to_be_focused()
    await expect(page.locator("#version-diff tbody tr")).to_have_count(1)
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Sulje vertailu")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("#version-diff")).to_be_hidden()
    await expect(page.get_by_role("button", name="Vertaa", exact=True)).to_be_focused()

    restore = saved.get_by_role("button", name="Palauta")
    await page.keyboard.press("Shift+Tab")
    for _ in range(10):
        if await restore.evaluate("node => node === document.activeElement"):
            break
        await page.keyboard.press("Shift+Tab")
    await expect(restore).to_be_focused()
    confirm_restore(page, "Näppäimistöllä")
    await page.keyboard.press("Enter")
    await shows(page, field, "Kokeilu Kuopiossa")
    await expect(page.locator("#version-list li").first).to_contain_text("Ennen palautusta")
    await expect(restore).to_be_focused()  # the list grew above it; the focus stayed
