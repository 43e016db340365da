"""What can be played without a server: completed downloads joined with the catalogue."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import aiosqlite

from cache.catalogue import fts_query, fts_words
from cache.db import fetch_row, fetch_rows
from cache.downloads.paths import absolute
from cache.models import AlbumId, ItemId, SourceKind, Track

# Downloads drive the query; catalogue columns win when the track is known, so an item the
# catalogue lost (removed on the server, slskd files) is still listed from its download row.
_COLUMNS = """
SELECT d.item_id, d.file_path, d.file_size, d.source AS d_source, d.title AS d_title,
       d.album AS d_album, d.album_id AS d_album_id, t.*
"""
_ALL = (
    f"{_COLUMNS} FROM downloads d LEFT JOIN tracks t ON t.id = d.item_id "
    "WHERE d.status = 'completed' AND d.file_path IS NOT NULL"
)
_SEARCH = (
    f"{_COLUMNS} FROM tracks_fts JOIN tracks t ON t.rowid = tracks_fts.rowid "
    "JOIN downloads d ON d.item_id = t.id AND d.status = 'completed' AND d.file_path IS NOT NULL "
    "WHERE tracks_fts MATCH ? ORDER BY tracks_fts.rank LIMIT ?"
)
# A completed row with no file is a transfer handed off to another source's copy (slskd → Jellyfin):
# that copy is what makes the item available offline, never the row that only points to it.
_HAS_FILE = "status = 'completed' AND file_path IS NOT NULL"
_ORDER = " ORDER BY COALESCE(t.album, d.album), t.disc_number, t.track_number, d.title"


def _source(value: object) -> SourceKind:
    try:
        return SourceKind(str(value))
    except ValueError:
        return SourceKind.LOCAL


def track_of(row: aiosqlite.Row) -> Track:
    """A Track for a completed download (available_offline is true by definition)."""
    known = row["id"] is not None
    return Track(
        id=ItemId(row["item_id"]),
        title=row["title"] if known else row["d_title"],
        album=row["album"] if known else row["d_album"],
        album_id=AlbumId(row["album_id"] if known else row["d_album_id"]),
        artists=tuple(json.loads(row["artists"])) if known else (),
        duration=float(row["duration"]) if known else 0.0,
        track_number=row["track_number"] if known else None,
        disc_number=row["disc_number"] if known else None,
        container=row["container"] if known else Path(row["file_path"] or "").suffix[1:],
        size=int(row["file_size"] or 0),
        source=_source(row["d_source"]),
        available_offline=True,
        album_artist=row["album_artist"] if known else "",
        year=row["year"] if known else None,
        replaygain_track=row["rg_track"] if known else None,
        replaygain_album=row["rg_album"] if known else None,
    )


class OfflineLibrary:
    """The offline commands: offline items, is-available, offline search, and `resolve` for play."""

    def __init__(self, db: aiosqlite.Connection, cache_dir: Path) -> None:
        self._db = db
        self._cache_dir = cache_dir

    async def items(self, offset: int = 0, limit: int = 100) -> tuple[list[Track], int]:
        """Downloaded tracks by album, disc and track; and how many there are."""
        found = await fetch_rows(self._db, f"{_ALL}{_ORDER} LIMIT ? OFFSET ?", (limit, offset))
        tracks = [track_of(r) for r in found]
        row = await fetch_row(
            self._db,
            "SELECT COUNT(*) FROM downloads WHERE status = 'completed' AND file_path IS NOT NULL",
        )
        return tracks, int(row[0]) if row else 0

    async def search(self, query: str, limit: int = 50) -> list[Track]:
        """Downloaded tracks whose title, album or artists match every word (FTS5, best first)."""
        match = fts_query(fts_words(query))
        if not match:
            return []
        return [track_of(r) for r in await fetch_rows(self._db, _SEARCH, (match, limit))]

    async def _completed_path(self, item_id: str) -> tuple[Path, int] | None:
        row = await fetch_row(
            self._db,
            "SELECT file_path, file_size FROM downloads WHERE item_id = ? AND status = 'completed'",
            (item_id,),
        )
        if row is None or not row["file_path"]:
            return None
        return absolute(self._cache_dir, row["file_path"]), int(row["file_size"] or 0)

    async def is_available(self, item_id: str) -> bool:
        """True when the item's download is complete and its file is on disk with the right size."""
        found = await self._completed_path(item_id)
        return found is not None and _intact(*found)

    async def kept_quality(self, item_id: str) -> str | None:
        """Which copy of the item is kept: "original", a profile ("opus:128"), or None."""
        sql = f"SELECT quality FROM downloads WHERE {_HAS_FILE} AND item_id = ?"
        row = await fetch_row(self._db, sql, (item_id,))
        return str(row[0]) if row is not None else None

    async def available_ids(self, item_ids: Iterable[str]) -> set[str]:
        """Which of `item_ids` have a completed download (for `available_offline` flags; no stat)."""
        ids = list(item_ids)
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        sql = f"SELECT item_id FROM downloads WHERE {_HAS_FILE} AND item_id IN ({marks})"
        return {r[0] for r in await fetch_rows(self._db, sql, ids)}

    async def local_copy(self, item_id: str) -> Path | None:
        """The local file to play when it is complete on disk, else None (play the stream).
        No side effect: the play event records the access eviction reads (cache/plays.py)."""
        found = await self._completed_path(item_id)
        if found is None or not _intact(*found):
            return None
        return found[0]


def _intact(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except OSError:
        return False
