"""Shared by every test: the guard that nothing leaves a thread running behind it, and the one
fresh cache.db fixture."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiosqlite
import pytest

from cache.db import open_db
from cache.schema import MIGRATIONS

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


@pytest.fixture
async def fresh_db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """An empty cache.db at the newest schema."""
    db = await open_db(tmp_path / "cache.db", MIGRATIONS)
    try:
        yield db
    finally:
        await db.close()
