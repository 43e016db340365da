"""A real, empty cache.db for the pre-cacher's tests."""

from __future__ import annotations

import aiosqlite
import pytest


@pytest.fixture
def db(fresh_db: aiosqlite.Connection) -> aiosqlite.Connection:
    return fresh_db  # tests/conftest.py's, under the name these tests use
