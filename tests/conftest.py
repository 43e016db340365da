"""Guards shared by every test: nothing may leave a thread running behind it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

# Threads that libraries start once per process and keep by design.
LONG_LIVED = ("asyncio_", "ThreadPoolExecutor", "aiosqlite", "zeroconf", "pydevd")


def _threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.is_alive() and not t.name.startswith(LONG_LIVED)}


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    before = _threads()
    yield
    deadline = time.monotonic() + 2.0
    while (leaked := _threads() - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not leaked, f"test left threads running: {sorted(t.name for t in leaked)}"
