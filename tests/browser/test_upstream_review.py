"""A fork's owner reviews what changed upstream in Chromium: every item by its title, never an
id; everything taken or kept at once; a choice undone before pulling; and a component declined
once offered again after upstream changed it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page, expect

from documents.access import DocumentKind
from documents.workshop_doc import add_component, load_document, text_at
from tests.browser.conftest import OpenPage, new_workshop
from tests.browser.pages import stored
from tests.support.api import ApiClient
from tests.support.axe import assert_accessible
from tests.support.conditions import wait_for
from tests.support.pyclient import python_client
from tests.support.server import ServerProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def check(page: Page) -> Any:
    await page.get_by_role("button", name="Tarkista muutokset").click()
    return page.locator("#upstream-changes fieldset")


async def test_the_review_names_items_chooses_at_once_undoes_and_offers_a_declined_item_again(
    server: ServerProcess, open_page: OpenPage
) -> None:
    origin_id, tokens = await new_workshop(server)
    async with ApiClient(server.http_url) as api:
        adoption = {"organisation": "Siilinjärvi", "reason": "Sama tarve"}
        fork = (await api.post(f"/api/workshops/{origin_id}/fork", json=adoption)).json()
    added: list[str] = []

    def add(doc: Any) -> None:
        added.append(add_component(doc, "Omaisen puhelu", "Omainen soittaa illalla"))
        text_at(doc, "model/purpose").insert(0, "Turva")

    doc = load_document(DocumentKind.CONTENT)
    async with python_client(server.http_url, origin_id, doc, token=tokens["owner"]):
        add(doc)

    async def arrived() -> bool:
        content = await stored(server, origin_id, tokens["owner"])
        return bool(content["components"]) and content["model"]["purpose"] == "Turva"

    await wait_for(arrived, what="the origin's new component and purpose committed")
    page = await open_page(fork["id"], fork["owner_token"])

    changes = await check(page)
    await expect(changes).to_have_count(2)
    component = changes.filter(has_text="Omaisen puhelu")
    await expect(component.locator("legend")).to_have_text("Osatekijä: Omaisen puhelu")
    assert added[0] not in await page.locator("#upstream-changes").inner_text()

    await page.get_by_role("button", name="Pidä kaikkialla oma").click()
    await expect(page.locator("#upstream-changes input[value=reject]:checked")).to_have_count(2)
    await assert_accessible(page, "the upstream review with its choices")
    undo = component.get_by_role("button", name="Peru valinta")
    await undo.click()
    await expect(component.locator("input:checked")).to_have_count(0)
    await expect(undo).to_be_hidden()
    await page.get_by_role("button", name="Ota kaikki muutokset").click()
    await expect(page.locator("#upstream-changes input[value=accept]:checked")).to_have_count(2)
    await component.get_by_label("Pidä oma").check()
    await page.get_by_role("button", name="Päivitä valinnoin").click()
    await expect(page.locator("#status")).to_contain_text(
        "Otettuja muutoksia: 1; omana pidettyjä: 1"
    )

    def retitle(doc: Any) -> None:
        title = text_at(doc, f"model/components/{added[0]}/title")
        title.insert(len(str(title).encode()), " ja aamulla")

    doc = load_document(DocumentKind.CONTENT)
    async with python_client(server.http_url, origin_id, doc, token=tokens["owner"]):
        retitle(doc)

    async def retitled() -> bool:
        content = await stored(server, origin_id, tokens["owner"])
        titles = [c["title"] for c in content["components"]]
        return titles == ["Omaisen puhelu ja aamulla"]

    await wait_for(retitled, what="the origin's retitled component committed")
    again = await check(page)
    await expect(again).to_have_count(1)
    await expect(again.locator("legend")).to_have_text("Osatekijä: Omaisen puhelu ja aamulla")
    await again.get_by_label("Ota muutos").check()
    await page.get_by_role("button", name="Päivitä valinnoin").click()

    async def taken() -> bool:
        content = await stored(server, fork["id"], fork["owner_token"])
        titles = [c["title"] for c in content["components"]]
        return titles == ["Omaisen puhelu ja aamulla"]

    await wait_for(taken, what="the component taken into the fork")
