"""Keeping the resident set small on a Pi."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)
M_ARENA_MAX = -8  # glibc's mallopt parameter number


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's per-thread malloc arenas before any thread starts.

    libmpv, aiosqlite and the executor each run threads; by default glibc gives busy threads
    their own 64 MiB arenas, and their half-used pages add tens of MiB of RSS for no speed an
    audio player needs. Returns False where the C library is not glibc.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        log.debug("mallopt is not available; leaving malloc arenas as they are")
        return False


def trim_malloc() -> None:
    """Hand memory freed after start-up work (tag reading, scans) back to the system."""
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError):
        log.debug("malloc_trim is not available")
