"""`verstas workshop ...` on a database, as an operator would type it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.databases import migrated_sqlite
from web.api.schemas import problems


def verstas(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "web",
            "workshop",
            *args,
            "--database-url",
            f"sqlite+aiosqlite:///{database}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_create_list_export_import(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    migrated_sqlite(db)
    created = verstas(db, "create", "--title", "Perhekeskus", "--organisation", "Oulu", "--private")
    assert created.returncode == 0, created.stderr
    first = json.loads(created.stdout)
    assert len(first["owner_token"]) > 40
    listed = verstas(db, "list")
    assert f"{first['id']}  private  Oulu  Perhekeskus" in listed.stdout
    exported = verstas(db, "export", first["id"], "--output", str(tmp_path / "e.json"))
    assert exported.returncode == 0, exported.stderr
    export = json.loads((tmp_path / "e.json").read_text())
    assert problems("workshop-export", export) == []
    assert export["metadata"]["visibility"] == "private"
    imported = verstas(db, "import", str(tmp_path / "e.json"))
    assert imported.returncode == 0, imported.stderr
    second = json.loads(imported.stdout)["id"]
    again = json.loads(verstas(db, "export", second).stdout)
    for data in (export, again):
        data["metadata"].pop("created")
        data["metadata"].pop("updated")
    assert again == export
    markdown = verstas(db, "export", second, "--format", "md")
    assert markdown.stdout.startswith("# Perhekeskus")
    assert "- **Organisaatio:** Oulu" in markdown.stdout
    swedish = verstas(db, "export", second, "--format", "md", "--lang", "sv")
    assert "- **Organisation:** Oulu\n- **Skapad:** " in swedish.stdout


def test_errors_are_clear_and_exit_nonzero(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    migrated_sqlite(db)
    missing = verstas(db, "export", "0123456789abcdef0123")
    assert missing.returncode == 1
    assert "error: no workshop 0123456789abcdef0123" in missing.stderr
    (tmp_path / "bad.json").write_text('{"format": "something else"}')
    bad = verstas(db, "import", str(tmp_path / "bad.json"))
    assert bad.returncode == 1
    assert "is not a workshop export" in bad.stderr
    assert "Traceback" not in bad.stderr
    german = verstas(db, "export", "0123456789abcdef0123", "--format", "md", "--lang", "de")
    assert german.returncode == 1
    assert "error: --lang is fi, sv or en" in german.stderr


def test_fork_versions_and_lineage_on_the_database(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    migrated_sqlite(db)
    origin = json.loads(verstas(db, "create", "--title", "Malli", "--organisation", "Oulu").stdout)
    named = verstas(db, "versions", origin["id"], "--name", "Ensimmäinen")
    assert named.returncode == 0, named.stderr
    version_id = named.stdout.split()[0]
    assert named.stdout.rstrip().endswith("Ensimmäinen")
    child = verstas(
        db,
        "fork",
        origin["id"],
        "--organisation",
        "Kemi",
        "--reason",
        "Sopii",
        "--version",
        version_id,
    )
    assert child.returncode == 0, child.stderr
    child_id = json.loads(child.stdout)["id"]
    family = json.loads(verstas(db, "lineage", child_id).stdout)
    assert family["root"] == origin["id"]
    assert family["edges"][0]["parent_version"] == version_id
    assert problems("lineage.response", family) == []
    assert (
        verstas(
            db, "fork", "0123456789abcdef0123", "--organisation", "x", "--reason", "y"
        ).returncode
        == 1
    )


@pytest.mark.parametrize(
    "command",
    [
        ["create", "--title", "Malli", "--organisation", "Oulu"],
        ["list"],
        ["export", "0123456789abcdef0123"],
        ["versions", "0123456789abcdef0123"],
        ["lineage", "0123456789abcdef0123"],
    ],
)
def test_commands_refuse_a_database_without_the_schema_as_serve_does(
    tmp_path: Path, command: list[str]
) -> None:
    db = tmp_path / "cli.db"

    refused = verstas(db, *command)

    assert refused.returncode == 1
    url = f"sqlite+aiosqlite:///{db}"
    assert refused.stderr == (
        f"error: the database {url} has no Verstas schema revision (it is empty, or predates "
        f"migrations); run: verstas db upgrade --database-url {url}\n"
    )
    assert refused.stdout == ""


def test_the_example_family_is_made_once_and_reads_as_a_finnish_model(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    migrated_sqlite(db)
    url = f"sqlite+aiosqlite:///{db}"

    def demo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "web", "demo", "--database-url", url, "--url", "http://x"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    first, again = demo(), demo()
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    assert first.stdout.startswith("Created the example family.")
    assert again.stdout.startswith("The example is there.")
    links = [line.split(": ", 1)[1] for line in first.stdout.splitlines() if "owner link" in line]
    assert len(links) == 3
    root = first.stdout.split("/workshops/")[1].split()[0]
    assert f"http://x/workshops/{root}/family" in again.stdout
    assert "owner link" not in again.stdout
    listed = verstas(db, "list").stdout.splitlines()
    assert len(listed) == 3
    lineage = json.loads(verstas(db, "lineage", root).stdout)
    assert [node["title"] for node in lineage["nodes"]] == [
        "Hoidon tarpeen arviointi ja takaisinsoitto terveysasemalla",
        "Hoidon tarpeen arviointi ja takaisinsoitto (Keitele)",
        "Hoidon tarpeen arviointi ja takaisinsoitto (Tervo)",
    ]
    assert [node["place"] for node in lineage["nodes"]] == [
        "Pielaveden terveysasema",
        "Keiteleen terveysasema",
        "Tervon terveysasema",
    ]
    export = json.loads(verstas(db, "export", root).stdout)
    assert [c["title"] for c in export["content"]["components"]] == [
        "Yksi numero ja soittopyyntö",
        "Hoitajan arvio puhelimessa",
        "Oikea ammattilainen kerralla",
        "Viikoittainen vuorosuunnittelu",
    ]
    assert len(export["comments"]) == 2
    assert export["content"]["matrix"]["client"]["laws"].startswith("Oikeus päästä")
    versions = verstas(db, "versions", root).stdout
    assert "Ensimmäinen luonnos Innopajan jälkeen" in versions
    assert "Kokeilun tulokset ja päätös vakiinnuttaa" in versions
