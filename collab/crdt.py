"""Guards around pycrdt calls that take untrusted bytes.

pycrdt raises ValueError for most bad input but panics (pyo3's PanicException, a
BaseException that `except Exception` misses and that cannot be imported before the first
panic) for some. Both mean "this input is refused", never "stop the process".
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from collab.protocol import decode_state_vector, first_struct


class InvalidUpdate(ValueError):
    """pycrdt refused the bytes; the document is unchanged."""


def _is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"


def apply_update(doc: Doc[Any], update: bytes) -> None:
    """Apply untrusted bytes, turning every pycrdt refusal into InvalidUpdate."""
    try:
        doc.apply_update(update)
    except Exception as exc:
        raise InvalidUpdate(str(exc)) from exc
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise InvalidUpdate(f"pycrdt panicked: {exc}") from exc


def diff_since(doc: Doc[Any], state_vector: bytes) -> bytes:
    """The update a peer with this (untrusted) state vector is missing."""
    try:
        return doc.get_update(state_vector)
    except Exception as exc:
        raise InvalidUpdate(str(exc)) from exc
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise InvalidUpdate(f"pycrdt panicked: {exc}") from exc


def is_repeat(update: bytes, state_vector: bytes) -> bool:
    """For an applied update that left the state vector unchanged: does it repeat structs the
    document holds (True), or does it start past them, waiting for what comes between?

    pycrdt cannot list an update's clock ranges (its `get_state(update)` leaves out structs it
    cannot integrate), so the first group decides: real clients never send a gap, and the
    repeats seen in practice (pycrdt clients echoing what they receive) start inside what the
    document holds.
    """
    first = first_struct(update)
    if first is None:
        return True
    client, clock = first
    return clock < decode_state_vector(state_vector).get(client, 0)
