"""Whether an update advances a document, told from the update and the document's clocks alone.

Why: a room checks every update it applies against the document's state vector (did it add
anything, or is it an echo or waiting for what never came: collab.lazy_doc), and pycrdt computes
a state vector over every client the document has ever seen, ~18 ns each: 18 µs per update at
1,000 clients, 184 at 10,000 (tests/bench/growth_clients.py). Every tab that opens a workshop
edits under a client id of its own, so a document used for months gets there. For such a
document the room keeps the clocks as a dict, and the common update (a client typing on from
its own clock, after items the document holds) is recognised here in a few microseconds,
whatever the number of clients.

The answer is only ever "it advances" or "cannot tell"; the second sends the caller back to the
state vector, which decides exactly. "It advances" must be right whenever the clocks are at
most the document's (they may lag behind it after structs that waited were brought in by a
later update, never run ahead of it): every struct then starts exactly where its client stands
or right after the struct before it in the update, and everything it names (its origins, its
parent) is held already or comes before it from the same client. yjs (`Item.getMissing`,
`integrateStructs`) and yrs integrate such structs at once; nothing of them waits. Where the
clocks lag, such an update may repeat what the document holds; it is then logged and relayed
once more, which changes nothing for anyone (at worst one echo more; an echo of it starts below
the clocks it set and goes back to the state vector).

Pure: bytes in, clocks out, no IO.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from collab.protocol import ProtocolError, Reader
from collab.yupdate import GC, ID, SKIP, decode_update

MIRRORED_FROM_CLIENTS: Final = 256
"""A document's clocks are kept as a dict once it has seen this many clients: reading an update
in Python costs ~5 µs, as much as pycrdt's state vector of ~300 clients, and below that the
state vector is the cheaper of the two."""

READ_UP_TO_BYTES: Final = 256
"""Longer updates go to the state vector unread: reading costs ~2 µs per struct in Python,
and a keystroke or a pasted sentence is one struct of a few dozen bytes, while a client's
whole state after a reconnect (or a hostile run of tiny structs) can be thousands, which pycrdt
applies in a fraction of that. 256 bytes hold at most ~128 structs."""


def clocks_of(state_vector: bytes) -> dict[int, int]:
    """A state vector (pycrdt's `get_state`, trusted) as {client: clock}.

    One pass over the bytes rather than a Reader call per number: client ids take eight bytes
    each, and a document of 1,000 clients has 2,000 numbers to read (~0.4 ms this way)."""
    numbers: list[int] = []
    value = shift = 0
    for byte in state_vector:
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            numbers.append(value)
            value = shift = 0
        else:
            shift += 7
    if not numbers or len(numbers) != 1 + 2 * numbers[0] or shift:
        raise ValueError("not a state vector")
    return dict(zip(numbers[1::2], numbers[2::2], strict=True))


def clients_in(state_vector: bytes) -> int:
    """How many clients a state vector names (its first number), without reading the rest:
    asked after every update a room applies, so one byte is read as one byte."""
    first = state_vector[0]
    return first if first < 0x80 else Reader(state_vector).var_uint()


def advanced(before: bytes, after: bytes) -> bool:
    """Whether any client's clock moved from the state vector `before` to `after` (the same
    document's, later). Not merely whether they differ: yrs also lists a client at clock 0 when
    a struct of it that waits names an item the document holds, and that adds nothing. Asked
    after every update a room applies, so the bytes decide wherever they can: as long and
    different, a clock moved (a client listed anew takes two bytes more); only a state vector
    that gained clients is read in full."""
    if after == before:
        return False
    if len(after) == len(before) or clients_in(after) == clients_in(before):
        return True
    old = clocks_of(before)
    return any(clock > old.get(client, 0) for client, clock in clocks_of(after).items())


def kept_clocks(state_vector: bytes) -> dict[int, int] | None:
    """The clocks to keep beside a document with this state vector: None below
    MIRRORED_FROM_CLIENTS, where the state vector is the cheaper way (each client takes two
    bytes at least, so most documents are decided by the length)."""
    if len(state_vector) < 2 * MIRRORED_FROM_CLIENTS:
        return None
    if clients_in(state_vector) < MIRRORED_FROM_CLIENTS:
        return None
    return clocks_of(state_vector)


def advanced_clocks(update: bytes, clocks: Mapping[int, int]) -> dict[int, int] | None:
    """The clocks the update's clients reach if all of it integrates at once into a document
    whose clocks are at least `clocks`; None if that cannot be told from these alone (the
    update does not continue where its clients stand, names what is not held yet, skips,
    is malformed, is longer than READ_UP_TO_BYTES: let pycrdt and the state vector decide)."""
    if len(update) > READ_UP_TO_BYTES:
        return None
    try:
        decoded = decode_update(update)
    except ProtocolError:
        return None
    if not decoded.structs:
        return None
    reached: dict[int, int] = {}
    for struct in decoded.structs:
        client = struct.client
        if struct.ref == SKIP or struct.clock != reached.get(client, clocks.get(client, 0)):
            return None
        if struct.ref != GC:
            parent = struct.parent if isinstance(struct.parent, tuple) else None
            for item in (struct.origin, struct.right_origin, parent):
                if item is not None and not _held(item, client, struct.clock, clocks):
                    return None
        reached[client] = struct.clock + struct.length
    return reached


def _held(item: ID, client: int, clock: int, clocks: Mapping[int, int]) -> bool:
    """Whether `item` is in the document already, or comes earlier in the same client's run
    of the update (which starts at the client's clock, so everything below `clock` is there)."""
    owner, item_clock = item
    return item_clock < clocks.get(owner, 0) or (owner == client and item_clock < clock)
