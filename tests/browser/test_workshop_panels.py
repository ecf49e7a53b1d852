"""The workshop page's panels in Chromium: comment threads, versions, adoption (forks, pulls,
proposals) and share links, each driven through the page and checked in what the server
stored."""

from __future__ import annotations

import pytest
from playwright.async_api import Dialog, expect

from tests.browser.conftest import OpenPage, new_workshop
from tests.browser.pages import editor, select_in, shows, stored, type_at_end
from tests.support.api import ApiClient
from tests.support.browser import PageProblems
from tests.support.conditions import wait_for
from tests.support.server import ServerProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")


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
    await commenter.get_by_role("button", name="Lähetä").click()

    thread = owner.locator(".threads li.thread")
    await expect(thread.locator("blockquote")).to_have_text("käy")
    await expect(editor(owner, field).locator(".cm-comment")).to_have_text("käy")
    await expect(thread.locator(".body")).to_have_text("Kuinka usein yössä?")
    await editor(owner, field).focus()
    await owner.keyboard.press("Control+Home")
    await owner.keyboard.type("Aina ")
    await shows(owner, field, "Aina Yöhoitaja käy kotona")
    await expect(editor(owner, field).locator(".cm-comment")).to_have_text("käy")
    await thread.get_by_role("button", name="Vastaa").click()
    await owner.keyboard.type("Kahdesti")
    await owner.locator("#reply-form").get_by_role("button", name="Vastaa").click()
    await thread.get_by_role("button", name="Merkitse ratkaistuksi").click()

    seen = commenter.locator(".threads li.thread")
    await expect(seen.locator("blockquote")).to_have_text("käy")
    await expect(seen.locator(".replies li")).to_contain_text("Kahdesti")
    await expect(seen.locator(".meta").first).to_contain_text("· ratkaistu")
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
    await expect(viewer.locator("#comments-model .threads-empty")).to_be_visible()
    await select_in(viewer, "model/purpose", 0, 0)
    await viewer.keyboard.press("Control+Alt+m")
    await expect(viewer.locator("#comment-form")).to_be_hidden()


async def test_a_model_adopted_on_its_page_pulls_upstream_changes_cell_by_cell(
    server: ServerProcess, open_page: OpenPage
) -> None:
    workshop_id, tokens = await new_workshop(server)
    origin = await open_page(workshop_id, tokens["owner"])
    await type_at_end(origin, "model/purpose", "Turva")
    await type_at_end(origin, "matrix/client.actors", "Asiakas")

    await origin.get_by_label("Organisaatio").fill("Siilinjärvi")
    await origin.get_by_label("Miksi otatte mallin käyttöön?").fill("Sama yöaukko")
    await origin.get_by_role("button", name="Ota käyttöön").click()
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

    await adopted.get_by_role("button", name="Tarkista muutokset").click()
    changes = adopted.locator("#upstream-changes fieldset")
    await expect(changes).to_have_count(2)
    await changes.filter(has_text="Käyttötarkoitus").get_by_label("Ota muutos").check()
    await changes.filter(has_text="Toimijat").get_by_label("Pidä oma").check()
    await adopted.get_by_role("button", name="Päivitä valinnoin").click()

    await shows(adopted, "model/purpose", "Turva yöllä")
    await expect(adopted.locator("#status")).to_contain_text(
        "Otettuja muutoksia: 1; omana pidettyjä: 1"
    )
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

    await writer.get_by_label("Nimeä versio sisällöstä sellaisena kuin se nyt on").fill(
        "Ennen kokeilua"
    )
    await writer.get_by_role("button", name="Tallenna versio").click()
    saved = writer.locator("#version-list li").filter(has_text="Ennen kokeilua")
    await expect(saved).to_have_count(1)
    await type_at_end(writer, field, " ja turvapuhelimella")
    await shows(watcher, field, "Yöpartio kahdella hoitajalla ja turvapuhelimella")

    await saved.get_by_role("button", name="Vertaa nykyiseen").click()
    diff = writer.locator("#version-diff tbody tr")
    await expect(diff).to_have_count(1)
    await expect(diff.locator("ins")).to_have_text(
        "Yöpartio kahdella hoitajalla ja turvapuhelimella"
    )

    async def confirm(dialog: Dialog) -> None:
        assert "Ennen kokeilua" in dialog.message
        await dialog.accept()

    writer.once("dialog", confirm)
    await saved.get_by_role("button", name="Palauta").click()

    await shows(watcher, field, "Yöpartio kahdella hoitajalla")
    await shows(writer, field, "Yöpartio kahdella hoitajalla")
    await expect(writer.locator("#status")).to_contain_text("1 kenttä muuttui")


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
    await origin.get_by_role("button", name="Hae ehdotukset").click()
    offer = origin.locator("#proposal-list form")
    await expect(offer).to_have_count(1)
    await expect(offer.locator("h4")).to_have_text("Kuopio ehdottaa")
    cells = offer.locator("fieldset")
    await cells.filter(has_text="Toimintamallin nimi").get_by_label("Ota muutos").check()
    await cells.filter(has_text="Tavoitteet").get_by_label("Pidä oma").check()
    await offer.get_by_role("button", name="Hyväksy valinnoin").click()

    await shows(origin, "model/name", "Yöpartio")
    await expect(origin.locator("#status")).to_contain_text("hyväksytty 1, hylätty 1")
    content = await stored(server, workshop_id, tokens["owner"])
    assert content["path"]["goals"] == ""


async def test_the_owner_gives_out_a_link_per_role_and_revoking_one_ends_its_page(
    server: ServerProcess, open_page: OpenPage, page_problems: PageProblems
) -> None:
    # The revoked page asks the server what its link may still do, and is refused.
    page_problems.expect("status of 403")
    workshop_id, tokens = await new_workshop(server)
    owner = await open_page(workshop_id, tokens["owner"])

    await owner.get_by_role("button", name="Uusi linkki: muokkaaja").click()
    link = owner.locator("#link-list li").filter(has_text="muokkaaja")
    await expect(link).to_have_count(1)
    url = await link.locator("input").input_value()
    token = url.split("?token=")[1]
    editor_page = await open_page(workshop_id, token)
    await expect(editor_page.get_by_text("Rooli: muokkaaja")).to_be_visible()
    await type_at_end(editor_page, "path/needs", "Turva")
    await shows(owner, "path/needs", "Turva")

    await link.get_by_role("button", name="Peru linkki").click()
    await expect(owner.locator("#link-list li").filter(has_text="muokkaaja")).to_have_count(0)
    await expect(editor_page.locator("main#workshop")).to_have_attribute(
        "data-connection", "refused"
    )
    await expect(editor_page.locator("#status")).to_contain_text("linkki on peruttu")
    # Read-only at once, said in words (no close code), and nothing typed into it any more.
    notice = editor_page.locator("#notice")
    await expect(notice).to_contain_text("Tämä linkki on peruttu: sivu on nyt vain luku -tilassa")
    assert "4403" not in (await editor_page.locator("body").inner_text())
    await expect(editor(editor_page, "path/needs")).to_have_attribute("aria-readonly", "true")
    await expect(editor_page.locator("#role")).to_have_text(
        "Rooli: muokkaaja \N{EN DASH} vain luku"
    )
    await expect(editor_page.locator("#add-component")).to_be_hidden()
    await expect(editor_page.locator("#comment-selection")).to_be_hidden()
    await type_at_end(editor_page, "path/needs", " ja kirjoitus")
    await shows(editor_page, "path/needs", "Turva")
