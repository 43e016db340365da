"""Artists: the names on the catalogue's albums (every source's), listed, searched and played.

The `artists` and `album_artists` tables are kept by triggers on `albums` (cache/schema.py), so
a page of artists is chosen in SQL by walking the name index, like the albums page, and only
that page's counts are taken.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import aiosqlite

from cache.catalogue import ALBUM_COLS, TRACK_ORDER, Catalogue
from cache.catalogue_rows import fts_query, fts_words
from cache.db import fetch_rows
from cache.models import Album, Artist, ArtistId, Track

PREFIX = "ar-"
MAX_TRACKS = 5000  # "play all of an artist" stops here: a queue a person can still scroll
_HAS_ALBUMS = "EXISTS (SELECT 1 FROM album_artists aa WHERE aa.artist_id = ar.id)"
_SOURCE = (
    "(SELECT iif(count(DISTINCT a.source) = 1, min(a.source), 'mixed')"
    " FROM album_artists aa JOIN albums a ON a.id = aa.album_id WHERE aa.artist_id = ar.id)"
)
_COUNT = "(SELECT count(*) FROM album_artists aa WHERE aa.artist_id = ar.id)"
_DISCOGRAPHY = "coalesce(a.year, 9999), a.sort_title COLLATE NOCASE, a.id"


RANK_LIMIT = 2000  # tracks the full-text index may propose, as the catalogue's search bounds it
_IDS = "(SELECT value FROM json_each(?))"


def _fold(text: str) -> str:
    """Case and diacritics folded, as the full-text index's tokenizer sees words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def artist_id(number: int) -> ArtistId:
    return ArtistId(f"{PREFIX}{number}")


def _number(artist: str) -> int | None:
    digits = artist.removeprefix(PREFIX)
    if not artist.startswith(PREFIX) or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits) if len(digits) <= 18 else None


def _name_filter(q: str) -> tuple[str, tuple[Any, ...]]:
    """Every word of `q` somewhere in the name (LIKE, case-insensitive for ASCII)."""
    words = fts_words(q)
    clause = " AND ".join("ar.name LIKE ? ESCAPE '\\'" for _ in words)
    escaped = (w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words)
    return (clause or "1"), tuple(f"%{w}%" for w in escaped)


class Artists:
    """Reads over artists; the writes are the album upserts' triggers."""

    def __init__(self, catalogue: Catalogue, *, search_limit: int = 20) -> None:
        self._catalogue = catalogue
        self._conn: aiosqlite.Connection = catalogue.db
        self._search_limit = search_limit

    async def page(self, q: str = "", offset: int = 0, limit: int = 50) -> tuple[list[Artist], int]:
        """Artists with at least one album, by name, filtered by `q`'s words."""
        where, params = _name_filter(q)
        rows = await self._fetch(
            f"SELECT count(*) AS n FROM artists ar WHERE {where} AND {_HAS_ALBUMS}", params
        )
        total = int(rows[0]["n"]) if rows else 0
        return await self._artists(where, params, max(0, limit), max(0, offset)), total

    async def search(self, q: str) -> list[Artist]:
        """The first artists whose names hold every word of `q` (none for an empty query), by
        name; "bjork" finds Björk: LIKE folds ASCII case only, so the tracks' full-text index
        (diacritics removed) proposes more names, checked here with Unicode folding."""
        words = fts_words(q)
        if not words:
            return []
        where, params = _name_filter(q)
        found = await self._artists(where, params, self._search_limit, 0)
        if len(found) < self._search_limit:
            seen = {a.id for a in found}
            found += [a for a in await self._folded(words) if a.id not in seen]
        return sorted(found, key=lambda a: (a.name.casefold(), a.id))[: self._search_limit]

    async def _folded(self, words: Sequence[str]) -> list[Artist]:
        rows = await self._fetch(
            "SELECT json_group_array(DISTINCT aa.artist_id) AS ids FROM album_artists aa"
            " WHERE aa.album_id IN (SELECT t.album_id FROM tracks t WHERE t.rowid IN"
            " (SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH ? LIMIT ?))",
            (fts_query(words, ("artists",)), RANK_LIMIT),
        )
        ids = rows[0]["ids"] if rows else "[]"
        candidates = await self._artists(f"ar.id IN {_IDS}", (ids,), RANK_LIMIT, 0)
        wanted = [_fold(w) for w in words]
        return [a for a in candidates if all(w in _fold(a.name) for w in wanted)]

    async def get(self, artist: str, offset: int = 0, limit: int = 50) -> Artist | None:
        """One artist with a page of their albums (by year, then title); None when unknown."""
        number = _number(artist)
        found = [] if number is None else await self._artists("ar.id = ?", (number,), 1, 0)
        if not found:
            return None
        rows = await self._fetch(
            f"SELECT {ALBUM_COLS} FROM album_artists aa JOIN albums a ON a.id = aa.album_id"
            f" WHERE aa.artist_id = ? ORDER BY {_DISCOGRAPHY} LIMIT ? OFFSET ?",
            (number, max(0, limit), max(0, offset)),
        )
        albums: list[Album] = await self._catalogue.albums_of(rows)
        one = found[0]
        return Artist(one.id, one.name, one.album_count, one.source, tuple(albums))

    async def tracks(self, artist: str) -> list[Track] | None:
        """Every track of the artist's albums, album by album; None when the artist is unknown."""
        number = _number(artist)
        if number is None or not await self._artists("ar.id = ?", (number,), 1, 0):
            return None
        return await self._catalogue.select_tracks(
            "FROM album_artists aa JOIN albums a ON a.id = aa.album_id"
            " JOIN tracks t ON t.album_id = a.id WHERE aa.artist_id = ?"
            f" ORDER BY {_DISCOGRAPHY}, {TRACK_ORDER} LIMIT ?",
            (number, MAX_TRACKS),
        )

    async def _artists(
        self, where: str, params: Sequence[Any], limit: int, offset: int
    ) -> list[Artist]:
        rows = await self._fetch(
            f"SELECT ar.id, ar.name, {_COUNT} AS albums, {_SOURCE} AS source FROM artists ar"
            f" WHERE {where} AND {_HAS_ALBUMS} ORDER BY ar.name COLLATE NOCASE, ar.id"
            " LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [
            Artist(artist_id(r["id"]), r["name"], int(r["albums"]), str(r["source"])) for r in rows
        ]

    async def _fetch(self, sql: str, params: Sequence[Any]) -> list[aiosqlite.Row]:
        return await fetch_rows(self._conn, sql, params)
