"""The pages and the Markdown export in Finnish, Swedish and English, from a real server: the
language a visitor gets (the URL, then the cookie of an earlier choice, then Accept-Language,
then Finnish), the switch on every page, and every word of every page from that language's
catalogue or from the data."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from tests.support.api import ApiClient
from tests.support.conditions import wait_for
from tests.support.raw import raw_connect
from tests.support.server import ServerProcess, running_server
from tests.support.untranslated import untranslated_in_page
from web.i18n import LANG_COOKIE, LANGS, Lang

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServerProcess]:
    workdir: Path = tmp_path_factory.mktemp("languages")
    async with running_server(workdir, open_documents=False) as process:
        yield process


def html_lang(page: httpx.Response) -> str:
    found = re.search(r'<html lang="(\w+)">', page.text)
    assert found is not None, page.text[:200]
    return found.group(1)


async def test_a_first_visit_follows_the_browser_and_a_choice_is_remembered(
    server: ServerProcess,
) -> None:
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        swedish = await http.get("/", headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.5"})
        german = await http.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})
        unknown = await http.get("/?lang=de", headers={"Accept-Language": "de"})
        chosen = await http.get("/?lang=en", headers={"Accept-Language": "sv"})
        later = await http.get("/", headers={"Accept-Language": "sv"})
        switched = await http.get("/?lang=sv")
        after = await http.get("/")

    assert (html_lang(swedish), html_lang(german), html_lang(unknown)) == ("sv", "fi", "fi")
    assert "Sök verkstäder" in swedish.text
    assert "set-cookie" not in swedish.headers  # only a choice is remembered
    assert "set-cookie" not in unknown.headers
    cookie = chosen.headers["set-cookie"]
    assert cookie.startswith(f"{LANG_COOKIE}=en;")
    assert "Path=/" in cookie
    assert "HttpOnly" in cookie
    assert (html_lang(chosen), html_lang(later)) == ("en", "en")
    assert "Find workshops" in later.text
    assert (html_lang(switched), html_lang(after)) == ("sv", "sv")


@dataclass
class Site:
    """A few workshops in every state a page can show, and the words people gave them."""

    owner_page: str = ""
    viewer_page: str = ""
    fork_page: str = ""
    private_page: str = ""
    revoked_page: str = ""
    owner_token: str = ""
    workshop_id: str = ""
    data: list[str] = field(default_factory=list)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def site(server: ServerProcess) -> Site:
    site = Site(data=["Yöpartio", "Kuopion kaupunki", "Siilinjärvi", "Sama yöaukko", "Salainen"])
    async with (
        httpx.AsyncClient(base_url=server.http_url) as http,
        ApiClient(server.http_url) as api,
    ):
        form = {"title": "Yöpartio", "organisation": "Kuopion kaupunki", "visibility": "public"}
        # The front page's form is taken only from the server's own pages (its Origin).
        made = await http.post("/workshops", data=form, headers={"Origin": server.http_url})
        site.owner_page = made.headers["location"]
        site.workshop_id = site.owner_page.split("/")[2].split("?")[0]
        site.owner_token = site.owner_page.split("token=")[1].split("&")[0]
        links = f"/api/workshops/{site.workshop_id}/links"
        viewer = await api.post(links, token=site.owner_token, json={"role": "viewer"})
        site.viewer_page = f"/workshops/{site.workshop_id}?token={viewer.json()['token']}"
        editor = await api.post(links, token=site.owner_token, json={"role": "editor"})
        await api.request("DELETE", f"{links}/{editor.json()['id']}", token=site.owner_token)
        site.revoked_page = f"/workshops/{site.workshop_id}?token={editor.json()['token']}"
        adoption = {"organisation": "Siilinjärvi", "reason": "Sama yöaukko"}
        fork = await api.post(f"/api/workshops/{site.workshop_id}/fork", json=adoption)
        site.fork_page = f"/workshops/{fork.json()['id']}?token={fork.json()['owner_token']}"
        hidden = {"title": "Salainen", "organisation": "Kuopion kaupunki", "visibility": "private"}
        private = await api.post("/api/workshops", json=hidden)
        site.private_page = f"/workshops/{private.json()['id']}"
        site.data += [site.workshop_id, fork.json()["id"], private.json()["id"]]
    return site


async def fetch(
    server: ServerProcess, path: str, lang: Lang, form: dict[str, str] | None = None
) -> httpx.Response:
    """A page as a new visitor asking for `lang` gets it (no cookies carried over); with
    `form`, the answer to posting it."""
    url = f"{path}{'&' if '?' in path else '?'}lang={lang}"
    # A share link's page moves its token into a cookie and redirects: follow it, as browsers do.
    async with httpx.AsyncClient(base_url=server.http_url, follow_redirects=True) as http:
        if form is not None:
            return await http.post(url, data=form, headers={"Origin": server.http_url})
        return await http.get(url)


def assert_speaks(page: httpx.Response, lang: Lang, data: list[str]) -> None:
    """The page is in `lang`, carries the switch to every language, and shows no word from
    outside `lang`'s catalogues and the data."""
    assert html_lang(page) == lang
    switch = re.search(r'<nav class="languages" aria-label="[^"]+">(.*?)</nav>', page.text, re.S)
    assert switch is not None
    links = re.findall(
        r'<a href="([^"]*)" lang="(\w+)" hreflang="\w+"( aria-current="true")?', switch.group(1)
    )
    assert [(code, bool(current)) for _, code, current in links] == [
        (code, code == lang) for code in LANGS
    ]
    assert all(f"lang={code}" in href and "token=" not in href for href, code, _ in links)
    assert untranslated_in_page(page.text, lang, data) == []


@pytest.mark.parametrize("lang", LANGS)
async def test_every_page_speaks_one_language_from_its_catalogue(
    server: ServerProcess, site: Site, lang: Lang
) -> None:
    front = await fetch(server, "/?q=kuopion", lang)
    nothing = await fetch(server, "/?q=zzz", lang)
    refused_form = await fetch(server, "/workshops", lang, form={"title": "", "organisation": ""})
    owner = await fetch(server, site.owner_page, lang)
    viewer = await fetch(server, site.viewer_page, lang)
    fork = await fetch(server, site.fork_page, lang)
    missing = await fetch(server, "/workshops/nosuchworkshop", lang)
    private = await fetch(server, site.private_page, lang)
    revoked = await fetch(server, site.revoked_page, lang)
    model = await fetch(server, f"/workshops/{site.workshop_id}/model", lang)
    family = await fetch(server, f"/workshops/{site.workshop_id}/family", lang)
    refused_adoption = await fetch(
        server, f"/workshops/{site.workshop_id}/adopt", lang, form={"organisation": ""}
    )

    assert [page.status_code for page in (refused_form, missing, private, revoked)] == [
        422,
        404,
        401,
        403,
    ]
    assert (model.status_code, family.status_code, refused_adoption.status_code) == (200, 200, 422)
    assert 'id="owner-key"' in owner.text
    assert 'id="owner-key"' not in viewer.text
    assert 'id="origin"' in fork.text
    pages = [front, nothing, refused_form, owner, viewer, fork, missing, private, revoked]
    pages += [model, family, refused_adoption]
    for page in pages:
        assert_speaks(page, lang, [*site.data, "zzz", "kuopion", "nosuchworkshop"])


@pytest.mark.parametrize("lang", LANGS)
async def test_the_admin_view_speaks_one_language_from_its_catalogue(
    server: ServerProcess, site: Site, lang: Lang
) -> None:
    async with (
        raw_connect(server.port, f"/collab/{site.workshop_id}?token={site.owner_token}") as (
            status,
            _,
        ),
        ApiClient(server.http_url) as api,
        httpx.AsyncClient(base_url=server.http_url) as http,
    ):
        assert status == 101

        async def loaded() -> bool:
            nodes = (await api.get("/api/admin/nodes", token=site.owner_token)).json()["nodes"]
            return any(doc["name"] == site.workshop_id for doc in nodes[0]["documents"])

        await wait_for(loaded, what="the workshop's document loaded")
        [node] = (await api.get("/api/admin/nodes", token=site.owner_token)).json()["nodes"]
        refused = await http.get(f"/admin?lang={lang}")
        await http.get(f"/admin?token={site.owner_token}&lang={lang}")  # sets both cookies
        page = await http.get("/admin")

    assert refused.status_code == 401
    assert page.status_code == 200
    assert "<table>" in page.text
    names = [doc["name"] for doc in node["documents"]]
    assert_speaks(refused, lang, [])
    assert_speaks(page, lang, [node["node_id"], *names, *site.data])


@pytest.mark.parametrize(
    ("asked", "headers", "lang", "headings"),
    [
        ("fi", {}, "fi", ["## Näkökulmataulukko", "| Aihe | Asiakasnäkökulma |", "- **Luotu:**"]),
        ("sv", {}, "sv", ["## Perspektivtabell", "| Ämne | Klientperspektiv |", "- **Skapad:**"]),
        (
            "en",
            {},
            "en",
            ["## Perspective matrix", "| Topic | Client perspective |", "- **Created:**"],
        ),
        (None, {"Accept-Language": "sv-FI"}, "sv", ["## Perspektivtabell"]),
        (None, {"Cookie": f"{LANG_COOKIE}=en", "Accept-Language": "sv"}, "en", ["## Perspective"]),
        (None, {}, "fi", ["## Näkökulmataulukko"]),
    ],
)
async def test_the_markdown_export_is_in_the_language_asked_for(
    server: ServerProcess,
    site: Site,
    asked: str | None,
    headers: dict[str, str],
    lang: Lang,
    headings: list[str],
) -> None:
    async with (
        ApiClient(server.http_url) as api,
        httpx.AsyncClient(base_url=server.http_url) as http,
    ):
        export = (await api.get(f"/api/workshops/{site.workshop_id}/export.json")).json()
        export["content"]["matrix"]["client"]["actors"] = "Yöhoitaja"
        imported = (await api.post("/api/workshops/import", json=export)).json()
        path = f"/api/workshops/{imported['id']}/export.md"
        query = {"lang": asked} if asked else {}
        markdown = await http.get(path, params=query, headers=headers)

    assert markdown.status_code == 200
    assert markdown.headers["content-language"] == lang
    assert all(heading in markdown.text for heading in headings), markdown.text
    assert "| Yöhoitaja |" in markdown.text


async def test_the_markdown_export_refuses_a_language_it_does_not_speak(
    server: ServerProcess, site: Site
) -> None:
    async with ApiClient(server.http_url) as api:
        refused = await api.get(f"/api/workshops/{site.workshop_id}/export.md?lang=de")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "lang is fi, sv or en"
