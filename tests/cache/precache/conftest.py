"""A real, empty cache.db for the pre-cacher's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from cache.db import open_db
from cache.schema import MIGRATIONS


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    conn = await open_db(tmp_path / "cache.db", MIGRATIONS)
    yield conn
    await conn.close()
