"""The built wheel carries everything the server reads from beside its code at run time: an
installed Verstas (not this checkout) finds its page templates, JSON Schemas, migrations and
language catalogues."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Run by the installed copy: where each module was imported from, and what it found.
PROBE = """
import json
import documents.store.schema as schema
import web.i18n as i18n
import web.api.schemas as schemas
import web.pages.workshops as pages
print(json.dumps({
    "modules": [schema.__file__, pages.__file__, schemas.__file__, i18n.__file__],
    "schemas": len(schemas.all_schemas()),
    "templates": sorted(pages.templates.env.list_templates()),
    "head": schema.head_revision(),
    "swedish": i18n.localiser("sv").label("matrix"),
    "client": i18n.client_messages("sv")["Connected"],
}))
"""


def source_tree(destination: Path) -> Path:
    """The checkout's files that git would commit, without what earlier builds left (setuptools
    reuses a `build/` folder, which would hide a file missing from the package data)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def test_an_installed_wheel_finds_its_templates_schemas_migrations_and_catalogues(
    tmp_path: Path,
) -> None:
    source = source_tree(tmp_path / "source")
    wheels, target = tmp_path / "wheels", tmp_path / "installed"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    build = [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)]
    subprocess.run(build, check=True)
    (wheel,) = wheels.glob("verstas-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    # The installed copy comes first on the path; the venv still supplies the dependencies.
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    assert all(Path(module).is_relative_to(target) for module in found["modules"]), found
    assert found["schemas"] == len(list((REPO / "schemas").glob("*.schema.json")))
    assert {"admin.html", "workshop.html"} <= set(found["templates"])
    assert (found["swedish"], found["client"]) == ("Perspektivtabell", "Ansluten")
    assert (
        found["head"]
        == sorted(
            path.stem.split("_")[0]
            for path in (REPO / "documents/store/migrations/versions").glob("0*.py")
        )[-1]
    )
