"""Small readers of Yjs binary formats that tests use to compare replicas."""

from __future__ import annotations


def _var_uint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def decode_state_vector(data: bytes) -> dict[int, int]:
    """A Yjs state vector: for each client id, how many of its items a replica holds."""
    count, pos = _var_uint(data, 0)
    vector: dict[int, int] = {}
    for _ in range(count):
        client, pos = _var_uint(data, pos)
        clock, pos = _var_uint(data, pos)
        vector[client] = clock
    return vector


def missing_from(
    have: dict[int, int], needed: dict[int, int], *, ignore: int = -1
) -> dict[int, int]:
    """Client ids (other than `ignore`) for which `have` holds fewer items than `needed`."""
    return {
        client: clock
        for client, clock in needed.items()
        if client != ignore and have.get(client, 0) < clock
    }
