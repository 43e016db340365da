"""A scan's catalogue rows staged in memory, then written in one statement per table.

The rows arrive a chunk at a time (from the scan's worker processes) as plain lists; each chunk is
bound into tables of an in-memory database attached for the scan (nothing staged is written to
the card), and `write` upserts what was staged with one INSERT ... SELECT per table. That is the
same single atomic statement as the JSON upserts of cache.catalogue, without json_extract of every
column of every row (most of their time at 20,000 tracks), and the binding happens while the
workers are still reading, not after. Detached when the scan ends, the database gives all its
memory back (TEMP tables kept ~7 MiB of pages resident after they were dropped).

An attached database belongs to the connection, and the catalogue's connection is shared; one
stage at a time per catalogue (the scan lock) keeps it the scan's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

from cache.catalogue_rows import (
    ALBUM_COLUMNS,
    STAGE,
    TRACK_COLUMNS,
    UPSERT_STAGED_ALBUMS,
    UPSERT_STAGED_TRACKS,
)
from cache.db import fetch_row

Row = Sequence[Any]
_TABLES = (("albums", ALBUM_COLUMNS), ("tracks", TRACK_COLUMNS))


class RowStage:
    """Rows held until `write`; album and track rows in the column order of catalogue_rows."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self.staged = 0  # track rows staged since the last write

    async def add(self, albums: Sequence[Row], tracks: Sequence[Row]) -> None:
        if albums:
            await self._conn.executemany(_insert("albums", ALBUM_COLUMNS), albums)
        if tracks:
            await self._conn.executemany(_insert("tracks", TRACK_COLUMNS), tracks)
        self.staged += len(tracks)

    async def write(self) -> None:
        """Upsert every staged row (albums first, as cache.catalogue does), then forget them."""
        await self._conn.execute(UPSERT_STAGED_ALBUMS)
        await self._conn.execute(UPSERT_STAGED_TRACKS)
        for table, _ in _TABLES:
            await self._conn.execute(f"DELETE FROM {STAGE}.{table}")
        self.staged = 0


@asynccontextmanager
async def staged_rows(conn: aiosqlite.Connection) -> AsyncIterator[RowStage]:
    """A fresh stage; what is left unwritten when the block ends (an error, a cancelled scan) is
    dropped with the stage's database."""
    await _detach(conn)  # one that an earlier, cancelled scan could not detach
    await conn.execute(f"ATTACH DATABASE ':memory:' AS {STAGE}")
    try:
        for table, columns in _TABLES:
            await conn.execute(f"CREATE TABLE {STAGE}.{table} ({', '.join(columns)})")
        yield RowStage(conn)
    finally:
        await _detach(conn)


async def _detach(conn: aiosqlite.Connection) -> None:
    sql = "SELECT 1 FROM pragma_database_list WHERE name = ?"
    if await fetch_row(conn, sql, (STAGE,)) is not None:
        await conn.execute(f"DETACH DATABASE {STAGE}")


def _insert(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {STAGE}.{table} VALUES ({', '.join('?' * len(columns))})"
