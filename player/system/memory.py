"""Keeping the resident set small on a Pi."""

from __future__ import annotations

import ctypes
import gc
import logging

log = logging.getLogger(__name__)
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter numbers
M_ARENA_MAX = -8
# Above the event loop's socket reads (asyncio reads up to 256 KiB at a time, into a new bytes
# object each): at 256 KiB every read of a download or a request got a mapping of its own, mapped,
# faulted in page by page and unmapped again, which cost a 256 MiB download a third more CPU on the
# loop thread (issue 12's house bench: 2fd3970 ran on glibc's raised threshold). Blocks this size
# are reused from the heap; the multi-MiB batches of a scan still get mappings of their own.
MMAP_THRESHOLD = 1024 * 1024
# glibc itself: ctypes.util.find_library("c") would run `ldconfig -p` (a process) at every start
_LIBC = "libc.so.6"


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(_LIBC)
    except OSError:
        return None


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's per-thread malloc arenas before any thread starts, and fix its mmap threshold.

    libmpv, aiosqlite and the executor each run threads; by default glibc gives busy threads
    their own 64 MiB arenas, and their half-used pages add tens of MiB of RSS for no speed an
    audio player needs. And glibc raises its mmap threshold each time a large block is freed (up
    to 32 MiB): after the first scan's multi-MiB batches, later large buffers would come from the
    heap and stay there as holes. A fixed 1 MiB threshold keeps every large buffer in its own
    mapping, given back whole when freed. Returns False where the C library is not glibc.
    """
    libc = _libc()
    if libc is None:
        return False
    try:
        capped = bool(libc.mallopt(M_ARENA_MAX, arenas))
        return capped and bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except AttributeError:
        log.debug("mallopt is not available; leaving malloc as it is")
        return False


def trim_malloc() -> None:
    """Hand memory freed after start-up work (tag reading, scans) back to the system."""
    libc = _libc()
    if libc is None:
        return
    try:
        libc.malloc_trim(0)
    except AttributeError:
        log.debug("malloc_trim is not available")


def settle_heap() -> None:
    """After start-up: collect its garbage, then move every object still alive (modules, their
    code and classes, ~100,000 objects) out of the collector's sight (gc.freeze), so a later full
    collection walks only what the running service makes, not the whole program again (a pause
    a Pi Zero feels); then trim."""
    gc.collect()
    gc.freeze()
    trim_malloc()
