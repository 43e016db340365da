"""Fixtures shared by the cache tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from cache.db import open_db
from cache.schema import MIGRATIONS


@pytest.fixture
async def fresh_db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """An empty cache.db at the newest schema."""
    db = await open_db(tmp_path / "cache.db", MIGRATIONS)
    try:
        yield db
    finally:
        await db.close()
