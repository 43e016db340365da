"""How many rows a cache.db connection has changed: 0 new ones means nothing was written."""

from __future__ import annotations

import aiosqlite


async def total_changes(conn: aiosqlite.Connection) -> int:
    """Rows inserted, updated or deleted on this connection so far (0 new ones: nothing written)."""
    async with conn.execute("SELECT total_changes()") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0
