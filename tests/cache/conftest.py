"""The `catalogue` fixture: a Catalogue over the fresh cache.db of tests/conftest.py."""

from __future__ import annotations

import aiosqlite
import pytest

from cache.catalogue import Catalogue


@pytest.fixture
def catalogue(fresh_db: aiosqlite.Connection) -> Catalogue:
    return Catalogue(fresh_db)
