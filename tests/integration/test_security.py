"""Attacks on the running server, each as issue 13 found it working: forged writes riding on
the share-link cookie, private workshops published or leaked, malformed bodies and text, tokens
in logs, and the defaults a public-sector deployment expects."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.support.api import ApiClient
from tests.support.conditions import wait_until
from tests.support.databases import migrated_postgres
from tests.support.raw import raw_connect
from tests.support.server import ServerProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")

JSON = {"Content-Type": "application/json"}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("security"), open_documents=False)
    await process.start()
    yield process
    await process.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module", params=["sqlite", "postgresql"])
async def any_store_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServerProcess]:
    """A server on each database, for what must be refused the same on both."""
    workdir = tmp_path_factory.mktemp(f"security-{request.param}")
    url = await migrated_postgres() if request.param == "postgresql" else None
    process = ServerProcess(workdir, database_url=url, open_documents=False)
    await process.start()
    yield process
    await process.stop()


async def create(api: ApiClient, **fields: Any) -> dict[str, Any]:
    body = {"title": "Kotihoidon yöpartio", "organisation": "Kuopio", **fields}
    response = await api.post("/api/workshops", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def link(api: ApiClient, workshop: dict[str, Any], role: str) -> str:
    path = f"/api/workshops/{workshop['id']}/links"
    response = await api.post(path, token=workshop["owner_token"], json={"role": role})
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def raw_json(value: Any) -> bytes:
    """JSON as a client may send it: `\\ud800` escapes and all (httpx would refuse to)."""
    return json.dumps(value).encode("ascii")


# 1. Cross-site request forgery through the share-link cookie


async def test_the_cookie_alone_never_writes(server: ServerProcess) -> None:
    """A page on another port of the same host can make the browser post with the cookie; the
    API must not take the cookie as permission to write, nor a form's body as JSON."""
    async with ApiClient(server.http_url) as victim:
        private = await create(victim, visibility="private")
        wid, owner = private["id"], private["owner_token"]
        landing = await victim.page(f"/workshops/{wid}?token={owner}")
        assert landing.status_code in (200, 303)
        api = f"/api/workshops/{wid}"
        # What `<form method=post enctype=text/plain>` sends: a name, "=", a value.
        forged = b'{"organisation":"Mallory","reason":"x=y"}'
        text_plain = {"Content-Type": "text/plain"}
        fork = await victim.post(f"{api}/fork", content=forged, headers=text_plain)
        owner_link = await victim.post(f"{api}/links", json={"role": "owner"})
        version = await victim.post(f"{api}/versions", json={"label": "Mallory"})
        patched = await victim.patch(api, json={"visibility": "public"})
        deleted = await victim.delete(api)
        reading = await victim.get(f"{api}/export.json")  # reading by the cookie stays
        lineage = (await victim.get(f"{api}/lineage", token=owner)).json()
        still = (await victim.get(api, token=owner)).json()
        links = (await victim.get(f"{api}/links", token=owner)).json()["items"]
    for refused in (fork, owner_link, version, patched, deleted):
        assert refused.status_code == 401, refused.text
    assert reading.status_code == 200
    assert lineage["edges"] == []
    assert still["visibility"] == "private"
    assert [item["role"] for item in links] == ["owner"]


async def test_json_bodies_must_say_they_are_json(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as api:
        body = raw_json({"title": "Yöpartio", "organisation": "Kuopio"})
        refused = {
            kind: await api.post("/api/workshops", content=body, headers={"Content-Type": kind})
            for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")
        }
        unlabelled = await api.post("/api/workshops", content=body)
        workshop = await create(api)
        fork = await api.post(
            f"/api/workshops/{workshop['id']}/fork",
            content=b'{"organisation":"Kemi","reason":"x=y"}',
            headers={"Content-Type": "text/plain"},
        )
        with_charset = await api.post(
            "/api/workshops",
            content=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
    for response in [*refused.values(), unlabelled, fork]:
        assert response.status_code == 415, response.text
        assert response.json()["error"]["code"] == "unsupported_media_type"
    assert with_charset.status_code == 201


async def test_the_front_page_form_is_taken_only_from_the_servers_own_pages(
    server: ServerProcess,
) -> None:
    own = server.http_url
    cases = {
        "another port": ({"Origin": "http://127.0.0.1:1"}, 403),
        "another site": ({"Origin": "https://evil.example"}, 403),
        "an opaque origin": ({"Origin": "null"}, 403),
        "nothing to tell": ({}, 403),
        "a foreign referrer": ({"Referer": "https://evil.example/"}, 403),
        "its own origin": ({"Origin": own}, 303),
        "its own referrer": ({"Referer": f"{own}/?q=x"}, 303),
    }
    async with ApiClient(server.http_url) as api:
        answers = {}
        for case, (headers, _) in cases.items():
            form = {"title": f"Lomake {case}", "organisation": "Kuopio", "visibility": "public"}
            answers[case] = await api.submit("/workshops", form, headers=headers)
        listed = (await api.get("/api/workshops", params={"q": "Lomake"})).json()["items"]
    assert {case: answer.status_code for case, answer in answers.items()} == {
        case: status for case, (_, status) in cases.items()
    }
    assert sorted(item["title"] for item in listed) == [
        "Lomake its own origin",
        "Lomake its own referrer",
    ]


# 2. A fork of a private workshop is private


async def test_a_fork_of_a_private_workshop_is_private(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as api:
        private = await create(api, visibility="private", title="Salainen malli")
        viewer = await link(api, private, "viewer")
        fork = await api.post(
            f"/api/workshops/{private['id']}/fork",
            token=viewer,
            json={"organisation": "Joku", "reason": "Uteliaisuus"},
        )
        assert fork.status_code == 201, fork.text
        copy = fork.json()
        anonymous = await api.get(f"/api/workshops/{copy['id']}/export.json")
        found = (await api.get("/api/workshops", params={"q": "Salainen"})).json()["items"]
        published = await api.patch(
            f"/api/workshops/{copy['id']}",
            token=copy["owner_token"],
            json={"visibility": "public"},
        )
        public = await create(api, title="Avoin malli")
        public_fork = await api.post(
            f"/api/workshops/{public['id']}/fork", json={"organisation": "Kemi", "reason": "x"}
        )
    assert copy["visibility"] == "private"
    assert anonymous.status_code == 401
    assert found == []
    assert published.json()["visibility"] == "public"
    assert public_fork.json()["visibility"] == "public"


# 3. Lineage redacts private and deleted members in edges and in use, as in nodes


async def test_lineage_shows_nothing_of_members_the_reader_may_not_read(
    server: ServerProcess,
) -> None:
    async with ApiClient(server.http_url) as api:
        origin = await create(api, title="Julkinen malli")
        path = f"/api/workshops/{origin['id']}"
        adoptions = {}
        for organisation in ("Avoin kunta", "Salainen kunta", "Poistunut kunta"):
            body = {"organisation": organisation, "reason": f"Syy: {organisation}"}
            adoptions[organisation] = (await api.post(f"{path}/fork", json=body)).json()
        hidden, gone = adoptions["Salainen kunta"], adoptions["Poistunut kunta"]
        await api.patch(
            f"/api/workshops/{hidden['id']}",
            token=hidden["owner_token"],
            json={"visibility": "private"},
        )
        await api.delete(f"/api/workshops/{gone['id']}", token=gone["owner_token"])
        answer = await api.get(f"{path}/lineage")
    lineage = answer.json()
    for secret in ("Salainen kunta", "Poistunut kunta"):
        assert secret not in answer.text
    open_id = adoptions["Avoin kunta"]["id"]
    assert [(edge["parent"], edge["child"]) for edge in lineage["edges"]] == [
        (origin["id"], adoption["id"]) for adoption in adoptions.values()
    ]
    edges = {edge["child"]: edge for edge in lineage["edges"]}
    assert edges[open_id]["reason"] == "Syy: Avoin kunta"
    assert edges[hidden["id"]] == {"parent": origin["id"], "child": hidden["id"], "private": True}
    assert edges[gone["id"]] == {"parent": origin["id"], "child": gone["id"], "deleted": True}
    in_use = {entry["id"]: entry for entry in lineage["in_use"]}
    assert in_use[open_id]["organisation"] == "Avoin kunta"
    assert in_use[hidden["id"]] == {"id": hidden["id"], "private": True}
    assert in_use[gone["id"]] == {"id": gone["id"], "deleted": True}


# 4. Deeply nested JSON


async def test_deeply_nested_json_is_a_bad_request(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as api:
        workshop = await create(api)
        answers = []
        for depth in (10_000, 500):
            nested = b"[" * depth + b"]" * depth
            for path in (
                "/api/workshops",
                "/api/workshops/import",
                f"/api/workshops/{workshop['id']}/fork",
            ):
                answers.append(await api.post(path, content=nested, headers=JSON))
        deep_inside = b'{"title": "x", "organisation": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
        answers.append(await api.post("/api/workshops", content=deep_inside, headers=JSON))
    for answer in answers:
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "invalid_json"


# 5. Text that breaks storage or spoofs


REFUSED_TEXT = {
    "a lone surrogate": "x\ud800y",
    "NUL": "x\x00y",
    "right-to-left override": "Kuopio\u202eoipouK",
    "left-to-right embedding": "\u202aKuopio",
    "pop directional formatting": "Kuopio\u202c",
    "right-to-left isolate": "\u2067Kuopio\u2069",
    "first strong isolate": "\u2068Kuopio",
}


async def test_text_that_breaks_storage_or_spoofs_is_refused_on_every_database(
    any_store_server: ServerProcess,
) -> None:
    server = any_store_server
    async with ApiClient(server.http_url) as api:
        workshop = await create(api)
        wid, owner = workshop["id"], workshop["owner_token"]
        export = (await api.get(f"/api/workshops/{wid}/export.json")).json()
        answers: dict[str, Any] = {}
        for case, text in REFUSED_TEXT.items():
            requests = {
                "create title": ("POST", "/api/workshops", {"title": text, "organisation": "K"}),
                "create organisation": (
                    "POST",
                    "/api/workshops",
                    {"title": "Malli", "organisation": text},
                ),
                "update description": ("PATCH", f"/api/workshops/{wid}", {"description": text}),
                "fork reason": (
                    "POST",
                    f"/api/workshops/{wid}/fork",
                    {"organisation": "Kemi", "reason": text},
                ),
                "version label": ("POST", f"/api/workshops/{wid}/versions", {"label": text}),
                "import title": (
                    "POST",
                    "/api/workshops/import",
                    {**export, "metadata": {**export["metadata"], "title": text}},
                ),
                "a key": ("POST", "/api/workshops", {"title": "M", "organisation": "K", text: 1}),
            }
            for name, (method, path, body) in requests.items():
                answers[f"{name}, {case}"] = await api.request(
                    method, path, token=owner, content=raw_json(body), headers=JSON
                )
            if case == "a lone surrogate":
                continue  # only JSON can spell one: in a URL or a form it is invalid UTF-8
            answers[f"search, {case}"] = await api.get("/api/workshops", params={"q": text})
            answers[f"search page, {case}"] = await api.page("/", params={"q": text})
            answers[f"form, {case}"] = await api.submit(
                "/workshops",
                {"title": text, "organisation": "Kuopio", "visibility": "public"},
                headers={"Origin": server.http_url},
            )
        unknown = await api.get("/api/workshops/%00")
        unknown_page = await api.page("/workshops/%00")
        unchanged = (await api.get(f"/api/workshops/{wid}")).json()
    for case, answer in answers.items():
        assert answer.status_code == 422, f"{case}: {answer.status_code} {answer.text}"
    assert unknown.status_code == unknown_page.status_code == 422
    assert unchanged["description"] == ""


async def test_document_text_in_an_import_may_hold_what_the_editors_accept(
    server: ServerProcess,
) -> None:
    """Bidirectional text in the documents themselves is typed over the socket like any other
    text, so an export holding it imports back; only a lone surrogate cannot be stored."""
    async with ApiClient(server.http_url) as api:
        workshop = await create(api)
        export = (await api.get(f"/api/workshops/{workshop['id']}/export.json")).json()
        content = export["content"]
        arabic = "\u202b\u0645\u0631\u062d\u0628\u0627\u202c \u2067Kuopio\u2069"
        content["model"]["core_idea"] = arabic
        imported = await api.post("/api/workshops/import", content=raw_json(export), headers=JSON)
        content["model"]["core_idea"] = "x\ud800y"
        broken = await api.post("/api/workshops/import", content=raw_json(export), headers=JSON)
        again = await api.get(f"/api/workshops/{imported.json()['id']}/export.json")
    assert imported.status_code == 201, imported.text
    assert again.json()["content"]["model"]["core_idea"] == arabic
    assert broken.status_code == 422


# 6. Import applies the limits of create and PATCH


async def test_import_applies_the_length_limits_of_create(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as api:
        workshop = await create(api)
        export = (await api.get(f"/api/workshops/{workshop['id']}/export.json")).json()
        cases = {
            "title": ("x" * 1_000_000, 422),
            "organisation": ("x" * 301, 422),
            "description": ("x" * 10_001, 422),
            "place": ("x" * 301, 422),
            "programme": ("x" * 300, 201),
        }
        answers = {}
        for field, (value, _) in cases.items():
            body = {**export, "metadata": {**export["metadata"], field: value}}
            answers[field] = await api.post("/api/workshops/import", json=body)
    assert {field: answer.status_code for field, answer in answers.items()} == {
        field: status for field, (_, status) in cases.items()
    }
    assert "metadata/title" in answers["title"].text


# 7. Tokens stay out of the logs however their parameter's name is spelt


async def test_a_percent_encoded_token_parameter_is_redacted_too(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as api:
        workshop = await create(api, visibility="private")
        wid, owner = workshop["id"], workshop["owner_token"]
        spellings = ("%74oken", "tok%65n", "%74%6F%6B%65%6E")
        answers = [await api.page(f"/workshops/{wid}?{name}={owner}") for name in spellings]
        answers.append(await api.page(f"/admin?%74oken={owner}"))
        async with raw_connect(server.port, f"/collab/{wid}?%74oken={owner}") as (status, _):
            assert status == 101, "the socket reads the parameter by its decoded name"
    assert all(answer.status_code in (200, 303) for answer in answers)
    await wait_until(lambda: "/admin?%74oken=" in server.log_text(), what="the access log")
    assert owner not in server.log_text()


# 8. One workshop's cookie does not lock the visitor out of others


async def test_one_workshops_cookie_leaves_other_workshops_open(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as browser:
        first = await create(browser, visibility="private", title="Ensimmäinen")
        second = await create(browser, visibility="private", title="Toinen")
        public = await create(browser, title="Julkinen")
        await browser.page(f"/workshops/{first['id']}?token={first['owner_token']}")
        public_page = await browser.page(f"/workshops/{public['id']}")
        public_api = await browser.get(f"/api/workshops/{public['id']}")
        public_export = await browser.get(f"/api/workshops/{public['id']}/export.md")
        await browser.page(f"/workshops/{second['id']}?token={second['owner_token']}")
        first_again = await browser.page(f"/workshops/{first['id']}")
        second_again = await browser.get(f"/api/workshops/{second['id']}")
    assert public_page.status_code == public_api.status_code == public_export.status_code == 200
    assert public_api.json()["role"] is None
    assert first_again.status_code == 200
    assert first["owner_token"] in first_again.text
    assert second_again.json()["role"] == "owner"


async def test_the_cookie_is_secure_on_https(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as api:
        workshop = await create(api, visibility="private")
        proxied = await api.page(
            f"/workshops/{workshop['id']}?token={workshop['owner_token']}",
            headers={"X-Forwarded-Proto": "https"},
        )
        plain = await api.page(f"/workshops/{workshop['id']}?token={workshop['owner_token']}")
    cookies = proxied.headers.get_list("set-cookie")
    assert cookies
    assert all("secure" in cookie.lower() and "httponly" in cookie.lower() for cookie in cookies)
    assert all("secure" not in c.lower() for c in plain.headers.get_list("set-cookie"))


# Defaults


async def test_sockets_are_opened_only_from_the_servers_own_pages_by_default(
    server: ServerProcess,
) -> None:
    async with ApiClient(server.http_url) as api:
        workshop = await create(api)
    path = f"/collab/{workshop['id']}"
    statuses = {}
    for origin in (None, server.http_url, "http://127.0.0.1:1", "https://evil.example", "null"):
        headers = {"Origin": origin} if origin else {}
        async with raw_connect(server.port, path, headers) as (status, _):
            statuses[origin] = status
    assert statuses == {
        None: 101,
        server.http_url: 101,
        "http://127.0.0.1:1": 403,
        "https://evil.example": 403,
        "null": 403,
    }


async def test_every_page_sends_the_policy_and_every_download_nosniff(
    server: ServerProcess,
) -> None:
    async with ApiClient(server.http_url) as api:
        workshop = await create(api)
        wid, owner = workshop["id"], workshop["owner_token"]
        version = await api.post(f"/api/workshops/{wid}/versions", token=owner, json={"label": "1"})
        admin_refused = await api.page("/admin")
        admin = await api.page("/admin", headers={"Authorization": f"Bearer {owner}"})
        downloads = [
            await api.get(f"/api/workshops/{wid}/export.md"),
            await api.get(f"/api/workshops/{wid}/export.json"),
            await api.get(f"/api/workshops/{wid}/versions/{version.json()['id']}/export.json"),
        ]
        workshop_page = await api.page(f"/workshops/{wid}")
    for page in (admin_refused, admin):
        for header in ("content-security-policy", "referrer-policy", "cache-control"):
            assert page.headers[header] == workshop_page.headers[header], header
    assert admin.status_code == 200
    for download in downloads:
        assert download.status_code == 200
        assert download.headers["x-content-type-options"] == "nosniff"


async def test_the_workshop_page_drops_the_token_from_the_address(server: ServerProcess) -> None:
    async with ApiClient(server.http_url) as browser:
        workshop = await create(browser, visibility="private")
        wid, owner = workshop["id"], workshop["owner_token"]
        landing = await browser.page(f"/workshops/{wid}?token={owner}")
        page = await browser.page(landing.headers.get("location", ""))
        wrong = await browser.page(f"/workshops/{wid}?token=forged")
    assert landing.status_code == 303
    assert landing.headers["location"] == f"/workshops/{wid}"
    assert page.status_code == 200
    assert f'data-token="{owner}"' in page.text
    assert wrong.status_code == 401
    assert "set-cookie" not in wrong.headers
