"""Keeping the resident set small: glibc's malloc capped and its mmap threshold fixed, trims."""

from __future__ import annotations

import asyncio.selector_events
import gc
import platform

import pytest

from player.system.memory import MMAP_THRESHOLD, limit_malloc_arenas, settle_heap, trim_malloc


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_malloc_is_capped_and_trimmed_on_glibc() -> None:
    assert limit_malloc_arenas() is True
    big = [bytearray(1 << 20) for _ in range(8)]  # above the threshold: mappings of their own
    del big
    trim_malloc()  # returns nothing; must not raise


def test_settle_heap_freezes_what_start_up_left() -> None:
    try:
        settle_heap()
        assert gc.get_freeze_count() > 1000  # the modules' objects, out of the collector's way
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual


def test_the_event_loops_socket_reads_stay_below_the_mmap_threshold() -> None:
    # every read of a socket makes a bytes object of up to max_size: at or above the threshold
    # each one would be mmapped, faulted in and unmapped again (a third more CPU per download)
    assert asyncio.selector_events._SelectorSocketTransport.max_size * 2 <= MMAP_THRESHOLD
