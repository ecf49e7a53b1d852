"""The committed protocol vectors are exactly what the pinned JavaScript libraries produce.

The unit tests of the Python codec trust `tests/unit/vectors/yjs_protocol.json`; this test is
what makes that trust earned: it regenerates the file with the real yjs / y-protocols / lib0
(`tests/js/make_vectors.mjs`) and demands byte-identical output. A library upgrade that changes
the wire format, or a hand edit of the file, fails here.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Final

from tests.support.jsclient import REPO_ROOT, node_executable

SCRIPT: Final = REPO_ROOT / "tests" / "js" / "make_vectors.mjs"
VECTORS: Final = REPO_ROOT / "tests" / "unit" / "vectors" / "yjs_protocol.json"
REGENERATE: Final = "node tests/js/make_vectors.mjs > tests/unit/vectors/yjs_protocol.json"


def _generate() -> str:
    completed = subprocess.run(
        [node_executable(), str(SCRIPT)],
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    return completed.stdout.decode("utf-8")


def test_committed_vectors_match_fresh_output_of_the_js_libraries() -> None:
    fresh = _generate()
    committed = Path(VECTORS).read_text(encoding="utf-8")
    # Compare parsed first: pytest then shows which vector differs, not a 130 kB string diff.
    assert json.loads(committed) == json.loads(fresh), f"vectors are stale; run `{REGENERATE}`"
    assert committed == fresh, f"same data, different formatting; run `{REGENERATE}`"


def test_vectors_cover_every_message_kind_the_codec_must_handle() -> None:
    """Guards the generator itself: dropping a case would silently weaken the codec's tests."""
    data = json.loads(Path(VECTORS).read_text(encoding="utf-8"))
    vectors = data["vectors"]
    kinds = {
        (v["decoded"]["message_type_name"], v["decoded"].get("sync_type_name")) for v in vectors
    }
    assert kinds == {
        ("sync", "step1"),
        ("sync", "step2"),
        ("sync", "update"),
        ("awareness", None),
        ("auth", None),
        ("query_awareness", None),
    }
    prefix_lengths = {
        len(v["decoded"]["payload_length_prefix_hex"]) // 2
        for v in vectors
        if "payload_length_prefix_hex" in v["decoded"]
    }
    assert {1, 2, 3} <= prefix_lengths
    client_ids = {
        entry["client_id"]
        for v in vectors
        for entry in v["decoded"].get("entries", []) + v["decoded"].get("state_vector", [])
    }
    assert 2**53 - 1 in client_ids
    assert any(2**31 < c < 2**32 for c in client_ids)
    states = [e["state_json"] for v in vectors for e in v["decoded"].get("entries", [])]
    assert "null" in states
    assert any(len(s.encode("utf-8")) != len(s) for s in states)
