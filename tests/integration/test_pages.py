"""The HTML pages: what they carry for each visitor, their forms and headers, and refusals
answered as pages with nothing from the URL rendered as markup."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import running_server
from web.api.caller import TOKEN_COOKIE


@contextlib.asynccontextmanager
async def serving(workdir: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A server of workshops only (no open documents), and an HTTP client on it."""
    async with (
        running_server(workdir, open_documents=False) as server,
        httpx.AsyncClient(base_url=server.http_url) as http,
    ):
        yield http


@pytest.mark.asyncio
async def test_an_unknown_workshop_page_escapes_the_id_from_the_url(tmp_path: Path) -> None:
    async with serving(tmp_path) as http:
        response = await http.get("/workshops/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    assert response.status_code == 404
    assert "<img" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text


@pytest.mark.asyncio
async def test_the_workshop_page_carries_every_text_field_and_the_visitors_rights(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path) as http:
        body = {"title": "Yöpartio", "organisation": "Kuopio", "visibility": "private"}
        created = (await http.post("/api/workshops", json=body)).json()
        owner = {"Authorization": f"Bearer {created['owner_token']}"}
        links = f"/api/workshops/{created['id']}/links"
        viewer = (await http.post(links, json={"role": "viewer"}, headers=owner)).json()["token"]
        page = f"/workshops/{created['id']}"

        landing = await http.get(f"{page}?token={viewer}")
        as_viewer = await http.get(page)  # by the cookie the landing set
        http.cookies.clear()
        anonymous = await http.get(page)
        script = re.search(r'src="(/static/build/workshop\.js\?v=\d+)"', as_viewer.text)
        assert script is not None
        bundle = await http.get(script.group(1))
        styles = await http.get("/static/verstas.css")

    assert as_viewer.status_code == 200
    assert as_viewer.headers["cache-control"] == "no-store"
    assert "script-src 'self';" in as_viewer.headers["content-security-policy"]
    assert as_viewer.headers["referrer-policy"] == "no-referrer"
    fields = re.findall(r'class="field" data-field="([^"]+)"', as_viewer.text)
    assert len(fields) == len(set(fields)) == 40
    assert "matrix/political_administrative.finances" in fields
    assert f'data-token="{viewer}"' in as_viewer.text
    assert 'data-role="viewer" data-can-write="false"' in as_viewer.text
    assert "Rooli: lukija \N{EN DASH} vain luku" in as_viewer.text
    assert (landing.status_code, landing.headers["location"]) == (303, page)
    for scope in (page, f"/api{page}"):
        assert landing.cookies.get(TOKEN_COOKIE, path=scope) == viewer
    assert anonymous.status_code == 401
    assert viewer not in anonymous.text
    assert bundle.status_code == 200
    assert bundle.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert 'href="/static/verstas.css"' in as_viewer.text
    assert styles.headers["content-type"].startswith("text/css")


@pytest.mark.asyncio
async def test_the_shared_screen_opens_as_the_workshop_page_does(tmp_path: Path) -> None:
    """The session's screen for a projector: a share link lands on it with its token moved
    into the workshop's cookie, it runs its own bundle under the pages' policy, and a private
    workshop's screen is refused without a link."""
    async with serving(tmp_path) as http:
        body = {"title": "Yöpartio", "organisation": "Kuopio", "visibility": "private"}
        created = (await http.post("/api/workshops", json=body)).json()
        owner = {"Authorization": f"Bearer {created['owner_token']}"}
        links = f"/api/workshops/{created['id']}/links"
        viewer = (await http.post(links, json={"role": "viewer"}, headers=owner)).json()["token"]
        screen = f"/workshops/{created['id']}/screen"

        landing = await http.get(f"{screen}?token={viewer}&lang=sv")
        shown = await http.get(screen)
        script = re.search(r'src="(/static/build/screen\.js\?v=\d+)"', shown.text)
        assert script is not None
        bundle = await http.get(script.group(1))
        http.cookies.clear()
        anonymous = await http.get(screen)

    assert (landing.status_code, landing.headers["location"]) == (303, f"{screen}?lang=sv")
    assert landing.cookies.get(TOKEN_COOKIE, path=f"/workshops/{created['id']}") == viewer
    assert shown.status_code == 200
    assert "script-src 'self';" in shown.headers["content-security-policy"]
    assert f'data-token="{viewer}"' in shown.text
    assert "Ingen Innopaja-session pågår." in shown.text
    assert bundle.status_code == 200
    assert anonymous.status_code == 401
    assert viewer not in anonymous.text


@pytest.mark.asyncio
async def test_a_forks_page_notes_where_its_model_was_adopted_from(tmp_path: Path) -> None:
    async with serving(tmp_path) as http:
        body = {"title": "Yöpartio", "organisation": "Kuopio"}
        origin = (await http.post("/api/workshops", json=body)).json()
        adoption = {"organisation": "Siilinjärvi", "reason": "Sama yöaukko"}
        fork = (await http.post(f"/api/workshops/{origin['id']}/fork", json=adoption)).json()

        fork_page = await http.get(
            f"/workshops/{fork['id']}?token={fork['owner_token']}", follow_redirects=True
        )
        origin_page = await http.get(f"/workshops/{origin['id']}")

    note = re.search(r'<p id="origin">(.*?)</p>', fork_page.text, re.S)
    assert note is not None
    # "Otettu käyttöön mallista X, jonka kehitti Y, 4.12.2026": the model and who developed it.
    assert f'<a href="/workshops/{origin["id"]}">Yöpartio</a>' in note.group(1)
    assert "jonka kehitti Kuopio" in note.group(1)
    assert "Sama yöaukko" in note.group(1)
    assert f'href="/workshops/{fork["id"]}/family"' in fork_page.text
    assert 'id="origin"' not in origin_page.text


@pytest.mark.asyncio
async def test_the_front_page_creates_workshops_and_finds_the_public_ones(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path) as http:
        front = await http.get("/")
        # A browser says where a form comes from; the server takes it only from its own pages.
        http.headers["Origin"] = str(http.base_url).rstrip("/")
        made = await http.post(
            "/workshops",
            data={"title": "Yöpartio", "organisation": "Kuopion kaupunki", "visibility": "public"},
        )
        hidden = await http.post(
            "/workshops",
            data={"title": "Salainen", "organisation": "Kuopion kaupunki", "visibility": "private"},
        )
        refused = await http.post("/workshops", data={"title": "", "organisation": "Kuopio"})
        owner_page = await http.get(made.headers["location"], follow_redirects=True)
        found = await http.get("/", params={"q": "kuopion"})
        listed = await http.get("/api/workshops", params={"q": "kuopion"})

    assert front.status_code == 200
    assert 'action="/workshops"' in front.text
    assert made.status_code == hidden.status_code == 303
    assert re.fullmatch(r"/workshops/[0-9a-f]{20}\?token=\S+", made.headers["location"])
    assert owner_page.status_code == 200
    assert "Rooli: omistaja" in owner_page.text
    assert refused.status_code == 422
    assert "title" in refused.text
    assert [item["title"] for item in listed.json()["items"]] == ["Yöpartio"]
    workshop_id = made.headers["location"].split("/")[2].split("?")[0]
    assert f'<a href="/workshops/{workshop_id}">Yöpartio</a>' in found.text
    assert "Salainen" not in found.text
