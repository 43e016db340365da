"""The `catalogue` fixture: a Catalogue over a fresh cache.db (every migration) on tmp_path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cache.catalogue import Catalogue
from cache.db import open_db
from cache.schema import MIGRATIONS


@pytest.fixture
async def catalogue(tmp_path: Path) -> AsyncIterator[Catalogue]:
    conn = await open_db(tmp_path / "cache.db", MIGRATIONS)
    try:
        yield Catalogue(conn)
    finally:
        await conn.close()
