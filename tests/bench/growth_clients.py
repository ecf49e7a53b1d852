"""Per-update cost against the clients a document has seen (part `clients` of growth_bench).

Every browser tab that opens a workshop edits it under a client id of its own, so a document
used for months has seen hundreds or thousands of them. The room checks each update it
applies against the document's state vector (collab.lazy_doc), which pycrdt computes over every
client the document has seen: this measures that path, `LazyDoc.apply`, in-process, with a
document seen by N clients and one more client typing into it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Text

from collab.lazy_doc import LazyDoc
from tests.bench.report import table

TYPED = 2000  # updates timed per size


@dataclass(frozen=True, slots=True)
class ClientsRow:
    clients: int
    apply_us: float  # LazyDoc.apply per update: the apply and the state vector after it
    state_vector_us: float  # pycrdt's get_state alone, per call, on the same document


def _seen_by(clients: int) -> Doc[Any]:
    """A document each of `clients` clients typed one character into."""
    doc: Doc[Any] = Doc()
    for client_id in range(1, clients + 1):
        writer: Doc[Any] = Doc(client_id=client_id)
        writer.get("t", type=Text).insert(0, "x")
        doc.apply_update(writer.get_update())
    return doc


def _typing(doc: Doc[Any], count: int) -> list[bytes]:
    """`count` keystrokes of a new client at the end of the text, one update each."""
    typist: Doc[Any] = Doc(client_id=10_000_000)
    typist.apply_update(doc.get_update())
    text = typist.get("t", type=Text)
    updates = []
    for _ in range(count):
        before = typist.get_state()
        text.insert(len(text), "y")
        updates.append(typist.get_update(before))
    return updates


def measure_clients(sizes: Sequence[int]) -> list[ClientsRow]:
    rows = []
    for clients in sizes:
        doc = _seen_by(clients)
        updates = _typing(doc, TYPED)
        lazy = LazyDoc(doc)
        started = time.process_time()
        for update in updates:
            lazy.apply(update)
        applied = time.process_time() - started
        started = time.process_time()
        for _ in updates:
            doc.get_state()
        state = time.process_time() - started
        rows.append(ClientsRow(clients, applied / TYPED * 1e6, state / TYPED * 1e6))
    return rows


def clients_table(rows: Sequence[ClientsRow]) -> str:
    header = ["clients seen", "apply us/update", "state vector alone us"]
    body = [[f"{r.clients:,}", f"{r.apply_us:.1f}", f"{r.state_vector_us:.1f}"] for r in rows]
    return table("PER-UPDATE COST AGAINST CLIENTS SEEN (in-process, CPU)", header, body)
