"""Guards around pycrdt calls that take untrusted bytes.

pycrdt raises ValueError for most bad input but panics (pyo3's PanicException, a
BaseException that `except Exception` misses and that cannot be imported before the first
panic) for some. Both mean "this input is refused", never "stop the process".
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc


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
