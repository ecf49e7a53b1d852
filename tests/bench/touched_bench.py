"""What telling the touched field paths costs (collab/touched.py): not a test.

    .venv/bin/python -m tests.bench.touched_bench [--edits 10000] [--structs 1000]
        [--keystrokes 2000] [--hostile 100000] [--repeat 7]

Builds a workshop content document from `--edits` single edits by three clients taking turns
(typing at random places in random cells, some deletions, components added and retitled), then
times, as CPU time of this process (other processes on the machine do not count), median of
`--repeat` runs:
- the index of that document's whole state (what loading a room would add);
- a keystroke's update: decode, plan; then `--keystrokes` of them planned and committed one
  after another, beside pycrdt applying the same updates;
- a sync step 2 of `--structs` structs (an offline client's typing at scattered places);
- a hostile update of `--hostile` one-character structs (the most structs per byte).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from pycrdt import Doc

from collab.touched import DocumentIndex
from collab.yupdate import decode_update
from documents.access import DocumentKind
from documents.workshop_doc import (
    MATRIX_KEYS,
    add_component,
    components_map,
    load_document,
    seed_update,
    text_at,
)

CELLS = [f"matrix/{key}" for key in MATRIX_KEYS] + ["model/purpose", "path/goals"]


def _type(doc: Doc[Any], rng: random.Random, field: str) -> None:
    cell = text_at(doc, field)
    size = len(str(cell))  # ASCII only: pycrdt positions count UTF-8 bytes
    if size > 10 and rng.random() < 0.15:
        start = rng.randrange(size - 3)
        del cell[start : start + rng.randint(1, 3)]
    else:
        cell.insert(rng.randint(0, size), rng.choice("abcdefghij "))


def edited_document(edits: int, seed: bytes) -> Doc[Any]:
    """Three replicas taking turns, each syncing with the others after every edit."""
    rng = random.Random(7)
    docs = [load_document(DocumentKind.CONTENT, seed) for _ in range(3)]
    for number in range(edits):
        doc = docs[number % 3]
        if number % 500 == 0:
            add_component(doc, "osa", "")
        elif number % 97 == 0 and len(components_map(doc)):
            key = rng.choice(sorted(components_map(doc).keys()))
            _type(doc, rng, f"model/components/{key}/title")
        else:
            _type(doc, rng, rng.choice(CELLS))
        update = doc.get_update(docs[(number + 1) % 3].get_state())
        for other in docs:
            if other is not doc:
                other.apply_update(update)
    return docs[0]


def _var_uint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def chained_characters(state: bytes, count: int) -> bytes:
    """The most structs an update can pack per byte (about 7 each): one character after
    another, written as separate structs by a new client, into the first text of `state`.
    No client writes this (yjs merges such runs into one struct); a hostile one can."""
    text = next(s for s in decode_update(state).structs if s.ref == 7 and s.parent == "path")
    client = _var_uint(1)
    body = [b"\x04\x00" + _var_uint(text.client) + _var_uint(text.clock) + b"\x01a"]
    body += [b"\x84" + client + _var_uint(clock) + b"\x01a" for clock in range(count - 1)]
    return b"\x01" + _var_uint(count) + client + b"\x00" + b"".join(body) + b"\x00"


def cpu_ms(action: Callable[[], object], repeat: int, inner: int = 1) -> float:
    """Median CPU milliseconds of one call."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(inner):
            action()
        times.append((time.process_time() - start) / inner * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--structs", type=int, default=1_000)
    parser.add_argument("--keystrokes", type=int, default=2_000)
    parser.add_argument("--hostile", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    seed = seed_update(DocumentKind.CONTENT)
    doc = edited_document(args.edits, seed)
    state = doc.get_update()
    built = len(decode_update(state).structs)
    rows = [
        (
            f"index of the whole state ({args.edits} edits, {len(state)} B, {built} structs)",
            cpu_ms(lambda: DocumentIndex.from_state(state), args.repeat),
        ),
        ("  of which decoding", cpu_ms(lambda: decode_update(state), args.repeat)),
    ]
    index = DocumentIndex.from_state(state)
    typist = load_document(DocumentKind.CONTENT, state)
    keystrokes: list[bytes] = []
    typist.observe(lambda event: keystrokes.append(event.update))
    rng = random.Random(5)
    for _ in range(args.keystrokes):
        _type(typist, rng, rng.choice(CELLS))
    keystroke = keystrokes[0]
    size = statistics.median(len(update) for update in keystrokes)

    def plan_and_commit() -> None:
        followed = DocumentIndex.from_state(state)
        start = time.process_time()
        for update in keystrokes:
            followed.commit(followed.plan(update))
        timed.append(time.process_time() - start)

    def pycrdt_apply() -> None:
        replica = load_document(DocumentKind.CONTENT, state)
        start = time.process_time()
        for update in keystrokes:
            replica.apply_update(update)
        timed.append(time.process_time() - start)

    per_keystroke = []
    for run in (plan_and_commit, pycrdt_apply):
        timed: list[float] = []
        for _ in range(args.repeat):
            run()
        per_keystroke.append(statistics.median(timed) / len(keystrokes) * 1000)
    rows += [
        (
            f"keystroke ({len(keystroke)} B): decode",
            cpu_ms(lambda: decode_update(keystroke), 5, 2000),
        ),
        ("keystroke: plan (decode included)", cpu_ms(lambda: index.plan(keystroke), 5, 2000)),
        (
            f"{args.keystrokes} keystrokes (median {size} B): plan and commit, each",
            per_keystroke[0],
        ),
        ("the same keystrokes: pycrdt's own apply, each, for scale", per_keystroke[1]),
    ]
    offline = load_document(DocumentKind.CONTENT, state)
    rng = random.Random(11)
    while len(decode_update(offline.get_update(doc.get_state())).structs) < args.structs:
        _type(offline, rng, rng.choice(CELLS))
    step2 = offline.get_update(doc.get_state())
    count = len(decode_update(step2).structs)
    rows.append(
        (
            f"step 2 of {count} structs ({len(step2)} B): plan",
            cpu_ms(lambda: index.plan(step2), args.repeat),
        )
    )
    hostile = chained_characters(state, args.hostile)
    rows.append(
        (
            f"hostile: {args.hostile} one-character structs ({len(hostile)} B): plan",
            cpu_ms(lambda: index.plan(hostile), 1),
        )
    )
    width = max(len(label) for label, _ in rows)
    print(f"{'what':<{width}}  CPU ms (median)")
    for label, value in rows:
        print(f"{label:<{width}}  {value:10.4f}")


if __name__ == "__main__":
    main()
