"""Pauses of the garbage collector nest, across awaits, and leave it as they found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from documents.gc_pause import collections_paused


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_the_collector_is_off_until_the_last_overlapping_pause_ends() -> None:
    first, second = collections_paused(), collections_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # overlapping, not nested: the first one ends first

    assert not gc.isenabled()

    second.__exit__(None, None, None)
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_a_pause_ends_with_the_error_that_ends_it() -> None:
    with pytest.raises(LookupError), collections_paused():
        raise LookupError("no family")

    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    with collections_paused():
        pass

    assert not gc.isenabled()
