"""Playlists in cache.db: every source's, written in one statement per batch and read with their
tracks from the catalogue (an entry whose track the catalogue does not know is left out)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import aiosqlite

from cache.catalogue import Catalogue
from cache.catalogue_rows import availability
from cache.db import fetch_row, fetch_rows
from cache.models import ItemId, Playlist, PlaylistId, SourceKind, Track

_COLS = ("id", "source", "name", "items", "skipped", "local_path")
# As the catalogue's upserts: a playlist that did not change is not written at all.
UPSERT_PLAYLISTS = f"""
INSERT INTO playlists ({", ".join(_COLS)}, seen_at)
SELECT {", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(_COLS)))},
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM json_each(?) WHERE true
ON CONFLICT(id) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in _COLS[1:])}, seen_at = excluded.seen_at
WHERE {" OR ".join(f"playlists.{c} IS NOT excluded.{c}" for c in _COLS[1:])}
"""
_ORDER = "name COLLATE NOCASE, id"
MAX_ENTRIES = 10_000  # a playlist longer than this is cut: the queue and the page stay usable


@dataclass(frozen=True, slots=True)
class PlaylistRecord:
    """A playlist as a source writes it: its track ids in play order (repeats allowed)."""

    id: PlaylistId
    source: SourceKind
    name: str
    items: tuple[ItemId, ...]
    skipped: int = 0
    local_path: str | None = None

    def row(self) -> list[object]:
        # The entries as a JSON value inside the row: json_extract hands the array back as
        # compact text, the same text at every sync, so "unchanged" compares equal.
        items = list(self.items[:MAX_ENTRIES])
        return [self.id, str(self.source), self.name, items, self.skipped, self.local_path]


class Playlists:
    """Writes and reads of the `playlists` table."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        self._conn: aiosqlite.Connection = catalogue.db

    async def upsert(self, records: Sequence[PlaylistRecord]) -> None:
        """Insert or update these playlists (one atomic statement; unchanged rows not written)."""
        if records:
            rows = json.dumps([r.row() for r in records], ensure_ascii=False)
            await self._conn.execute(UPSERT_PLAYLISTS, (rows,))

    async def remove_unseen(self, source: SourceKind, ids: Collection[PlaylistId]) -> int:
        """Delete the source's playlists not in `ids`; returns how many went."""
        cur = await self._conn.execute(
            "DELETE FROM playlists WHERE source = ? AND id NOT IN (SELECT value FROM json_each(?))",
            (str(source), json.dumps(list(ids))),
        )
        return cur.rowcount

    async def page(self, offset: int = 0, limit: int = 50) -> tuple[list[Playlist], int]:
        """Playlists by name, a page at a time (the page chosen in SQL, then summed)."""
        row = await fetch_row(self._conn, "SELECT count(*) FROM playlists")
        total = int(row[0]) if row else 0
        rows = await self._fetch(
            f"SELECT id, source, name, items, skipped FROM playlists ORDER BY {_ORDER}"
            " LIMIT ? OFFSET ?",
            (max(0, limit), max(0, offset)),
        )
        wanted = list(dict.fromkeys(i for r in rows for i in _items(r)))
        known = {t.id: t for t in await self._catalogue.tracks(wanted)}
        return [_playlist(r, [known[i] for i in _items(r) if i in known]) for r in rows], total

    async def get(self, playlist_id: str) -> Playlist | None:
        """One playlist with its entries in order; None when unknown."""
        rows = await self._fetch(
            "SELECT id, source, name, items, skipped FROM playlists WHERE id = ?", (playlist_id,)
        )
        if not rows:
            return None
        tracks = await self._catalogue.tracks(_items(rows[0]))
        return _playlist(rows[0], tracks, with_entries=True)

    async def _fetch(self, sql: str, params: Sequence[object]) -> list[aiosqlite.Row]:
        return await fetch_rows(self._conn, sql, params)


def _items(row: aiosqlite.Row) -> list[ItemId]:
    try:
        found = json.loads(row["items"] or "[]")
    except ValueError:
        return []
    return [ItemId(str(i)) for i in found] if isinstance(found, list) else []


def _playlist(row: aiosqlite.Row, tracks: list[Track], *, with_entries: bool = False) -> Playlist:
    have = sum(1 for t in tracks if t.available_offline)
    return Playlist(
        id=PlaylistId(row["id"]),
        name=row["name"],
        track_count=len(tracks),
        duration=sum(t.duration for t in tracks),
        source=SourceKind(row["source"]),
        available_offline=availability(len(tracks), have),
        skipped=int(row["skipped"] or 0),
        entries=tuple(tracks) if with_entries else None,
    )
