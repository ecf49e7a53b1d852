"""The committed update vectors are exactly what the pinned yjs produces.

The decoder and index tests trust `tests/unit/vectors/yjs_updates.json`; this regenerates it
with the real yjs (`tests/js/make_update_vectors.mjs`) and demands identical output, so a yjs
upgrade that changes what it writes, or a hand edit of the file, fails here.
"""

from __future__ import annotations

import json
import subprocess
from typing import Final

from tests.support.jsclient import REPO_ROOT, node_executable

SCRIPT: Final = REPO_ROOT / "tests" / "js" / "make_update_vectors.mjs"
VECTORS: Final = REPO_ROOT / "tests" / "unit" / "vectors" / "yjs_updates.json"
REGENERATE: Final = "node tests/js/make_update_vectors.mjs > tests/unit/vectors/yjs_updates.json"


def test_committed_update_vectors_match_fresh_output_of_yjs() -> None:
    command = [node_executable(), str(SCRIPT)]
    completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, timeout=30, check=False)
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    fresh = completed.stdout.decode("utf-8")
    committed = VECTORS.read_text(encoding="utf-8")
    assert json.loads(committed) == json.loads(fresh), f"vectors are stale; run `{REGENERATE}`"
    assert committed == fresh, f"same data, different formatting; run `{REGENERATE}`"
