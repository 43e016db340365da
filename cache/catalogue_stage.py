"""A scan's catalogue rows staged in temporary tables, then written in one statement per table.

The rows arrive a chunk at a time (from the scan's worker processes) as plain lists; each chunk is
bound into this connection's TEMP tables (kept in memory: temp_store=MEMORY, so staging writes
nothing to the card), and `write` upserts what was staged with one INSERT ... SELECT per table.
That is the same single atomic statement as the JSON upserts of cache.catalogue, without
json_extract of every column of every row (most of their time at 20,000 tracks), and the binding
happens while the workers are still reading, not after.

Temporary tables belong to the connection, and the catalogue's connection is shared; one stage at a
time per catalogue (the scan lock) keeps them the scan's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

from cache.catalogue_rows import (
    ALBUM_COLUMNS,
    TRACK_COLUMNS,
    UPSERT_STAGED_ALBUMS,
    UPSERT_STAGED_TRACKS,
)

Row = Sequence[Any]
_TABLES = (("staged_albums", ALBUM_COLUMNS), ("staged_tracks", TRACK_COLUMNS))


class RowStage:
    """Rows held until `write`; album and track rows in the column order of catalogue_rows."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self.staged = 0  # track rows staged since the last write

    async def add(self, albums: Sequence[Row], tracks: Sequence[Row]) -> None:
        if albums:
            await self._conn.executemany(_insert("staged_albums", ALBUM_COLUMNS), albums)
        if tracks:
            await self._conn.executemany(_insert("staged_tracks", TRACK_COLUMNS), tracks)
        self.staged += len(tracks)

    async def write(self) -> None:
        """Upsert every staged row (albums first, as cache.catalogue does), then forget them."""
        await self._conn.execute(UPSERT_STAGED_ALBUMS)
        await self._conn.execute(UPSERT_STAGED_TRACKS)
        await _clear(self._conn)
        self.staged = 0


@asynccontextmanager
async def staged_rows(conn: aiosqlite.Connection) -> AsyncIterator[RowStage]:
    """A fresh stage; what is left unwritten when the block ends (an error, a cancelled scan) is
    dropped, and so are the tables (their pages are memory)."""
    for table, columns in _TABLES:
        # Dropped and made again: a stage that an earlier cancelled scan could not drop is not
        # carried into this one.
        await conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
        await conn.execute(f"CREATE TEMP TABLE {table} ({', '.join(columns)})")
    try:
        yield RowStage(conn)
    finally:
        for table, _ in _TABLES:
            await conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


async def _clear(conn: aiosqlite.Connection) -> None:
    for table, _ in _TABLES:
        await conn.execute(f"DELETE FROM temp.{table}")


def _insert(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO temp.{table} VALUES ({', '.join('?' * len(columns))})"
