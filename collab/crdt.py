"""Guards around pycrdt calls that take untrusted bytes.

pycrdt raises ValueError for most bad input but panics (pyo3's PanicException, a
BaseException that `except Exception` misses and that cannot be imported before the first
panic) for some. Both mean "this input is refused", never "stop the process".
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from pycrdt import Doc, get_update

from collab.protocol import EMPTY_UPDATE

T = TypeVar("T")


class InvalidUpdate(ValueError):
    """pycrdt refused the bytes; the document is unchanged."""


def _guarded(call: Callable[[], T]) -> T:
    """Run a pycrdt call on untrusted bytes: every refusal, panics included, is InvalidUpdate."""
    try:
        return call()
    except Exception as exc:
        raise InvalidUpdate(str(exc)) from exc
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise InvalidUpdate(f"pycrdt panicked: {exc}") from exc


def apply_update(doc: Doc[Any], update: bytes) -> None:
    """Apply untrusted bytes, turning every pycrdt refusal into InvalidUpdate."""
    _guarded(lambda: doc.apply_update(update))


def apply_and_read_state(doc: Doc[Any], update: bytes) -> bytes:
    """Apply untrusted bytes as `apply_update` does; the document's state vector after them.

    Both in one transaction through pycrdt's binding (as `Doc.apply_update` and
    `Doc.get_state` each call it, in a transaction of their own): a transaction's entry, exit
    and commit cost more than reading the state vector, and every update a room accepts pays
    for both. The two attributes used are pycrdt's own, pinned with pycrdt to 0.14."""

    def apply() -> bytes:
        with doc.transaction() as transaction:
            binding, handle = doc._doc, transaction._txn
            assert handle is not None  # set on entering the transaction
            binding.apply_update(handle, update)
            state: bytes = binding.get_state(handle)
            return state

    return _guarded(apply)


def diff_since(doc: Doc[Any], state_vector: bytes) -> bytes:
    """The update a peer with this (untrusted) state vector is missing."""
    return _guarded(lambda: doc.get_update(state_vector))


class Unchanged(Enum):
    """What an applied update that left the document's state vector as it was carries."""

    REPEAT = "repeat"
    """Only structs the document holds and no deletions: a true no-op (an echo)."""
    DELETIONS = "deletions"
    """Only structs the document holds, and a delete set: it may have deleted what the
    document still had (an offline deletion sent beside a repeat), so it counts as a change."""
    WAITING = "waiting"
    """Structs past the document's clocks: they wait for updates that never arrived."""


def classify_unchanged(update: bytes, state_vector: bytes) -> Unchanged:
    """For an update whose application left the state vector at `state_vector`: is it a
    no-op, a carrier of deletions, or waiting for missing dependencies?

    Why not from the state vector alone: a delete set never moves it, so an update repeating
    known structs can still delete text (a client's step 2 answering a stale step 1 carries
    its offline deletions beside what it had just sent as an update). pycrdt cannot say
    whether applying deleted anything, so any delete set counts as a change: logging and
    relaying a deletion that was already applied again is harmless, dropping a new one
    loses it for good.

    Cost: pycrdt decodes the update and encodes what the state vector lacks (its structs
    past those clocks and its whole delete set), a few microseconds, only on this path:
    an update that advances the state vector (every fresh edit) never gets here. Bytes
    pycrdt applied but cannot diff count as a change too: when unsure, keep.
    """
    try:
        rest = _guarded(lambda: get_update(update, state_vector))
    except InvalidUpdate:
        return Unchanged.DELETIONS
    if rest[0] != 0:  # struct groups left: past what the document holds
        return Unchanged.WAITING
    return Unchanged.REPEAT if rest == EMPTY_UPDATE else Unchanged.DELETIONS
