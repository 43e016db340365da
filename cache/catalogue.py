"""The offline catalogue: albums and tracks of every source in cache.db, browsed and searched.

The connection is shared with other parts of `cache` (downloads, the Jellyfin sync), so no write here
opens an explicit transaction that other coroutines' statements could fall into. Instead each batch is
one statement over a JSON array (`json_each`), which SQLite runs as one atomic transaction.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import aiosqlite

from cache.catalogue_rows import (
    TRACK_COLS,
    UPSERT_ALBUMS,
    UPSERT_TRACKS,
    AlbumRecord,
    LocalIndex,
    RowsJson,
    TrackRecord,
    album_filter,
    album_model,
    availability,
    fts_query,
    fts_words,
    join_rows,
    load_names,
    rows_json,
    to_track,
)
from cache.catalogue_stage import RowStage, staged_rows
from cache.db import fetch_row, fetch_rows
from cache.models import Album, AlbumId, ItemId, SourceKind, Track

__all__ = [
    "AlbumRecord",
    "Catalogue",
    "LocalIndex",
    "RowsJson",
    "TrackRecord",
    "fts_query",
    "fts_words",
    "join_rows",
    "rows_json",
]
OfflineIds = Callable[[Sequence[ItemId]], Awaitable[set[ItemId]]]
"""Given ids of non-local tracks, returns those complete on disk (the download manager knows)."""

# The page is chosen first (the sort and filter run on `albums` alone, through idx_albums_order);
# track counts and durations are then summed for those rows only.
ALBUM_COLS = "a.id, a.title, a.artists, a.year"
_ALBUM_ORDER = (
    "json_extract(a.artists, '$[0]') COLLATE NOCASE, a.sort_title COLLATE NOCASE,"
    " a.title COLLATE NOCASE, a.id"
)
# A missing disc number is disc 1; a missing track number sorts after the numbered ones.
TRACK_ORDER = (
    "coalesce(t.disc_number, 1), coalesce(t.track_number, 1000000), t.title COLLATE NOCASE, t.id"
)
_IDS = "(SELECT value FROM json_each(?))"


class Catalogue:
    """Albums and tracks of every source: upserts, pruning, paging, search and offline flags."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        offline_ids: OfflineIds | Collection[ItemId] | None = None,
        *,
        search_limit: int = 50,
        rank_limit: int = 2000,
    ) -> None:
        self._conn = conn
        self._offline: OfflineIds | None = None
        self.set_offline_ids(offline_ids)
        self._search_limit = search_limit
        self._rank_limit = rank_limit
        self.scan_lock = asyncio.Lock()
        """Serialises local-folder rescans, whichever scanner object runs them."""

    @property
    def db(self) -> aiosqlite.Connection:
        """The connection (playlists and artists read beside the catalogue)."""
        return self._conn

    def set_offline_ids(self, offline_ids: OfflineIds | Collection[ItemId] | None) -> None:
        """Tell the catalogue which non-local tracks are on disk (a lookup or a fixed set)."""
        if offline_ids is None or callable(offline_ids):
            self._offline = offline_ids
            return
        fixed = frozenset(offline_ids)

        async def lookup(ids: Sequence[ItemId]) -> set[ItemId]:
            return {i for i in ids if i in fixed}

        self._offline = lookup

    # ---- writes ----

    async def upsert(self, albums: Sequence[AlbumRecord], tracks: Sequence[TrackRecord]) -> None:
        """Insert or update albums, then tracks (each batch atomic; albums first, so no track
        ever points at a missing album)."""
        await self.upsert_rows(rows_json(albums, tracks))

    async def upsert_rows(self, rows: RowsJson) -> None:
        """`upsert` of rows already made into JSON (see RowsJson)."""
        if rows.albums != "[]":
            await self._conn.execute(UPSERT_ALBUMS, (rows.albums,))
        if rows.tracks != "[]":
            await self._conn.execute(UPSERT_TRACKS, (rows.tracks,))

    def staged(self) -> AbstractAsyncContextManager[RowStage]:
        """A stage for rows that arrive in many small parts (a scan): see cache.catalogue_stage."""
        return staged_rows(self._conn)

    async def remove_tracks(self, ids: Collection[ItemId]) -> int:
        """Delete these tracks; returns how many rows went."""
        if not ids:
            return 0
        cur = await self._conn.execute(
            f"DELETE FROM tracks WHERE id IN {_IDS}", (json.dumps(list(ids)),)
        )
        return cur.rowcount

    async def remove_unseen(
        self,
        source: SourceKind,
        track_ids: Collection[ItemId],
        album_ids: Collection[AlbumId] | None = None,
    ) -> int:
        """After a full sync: delete the source's tracks not in `track_ids`, and its albums not in
        `album_ids` (when given) or left without tracks. Returns the number of tracks removed."""
        cur = await self._conn.execute(
            f"DELETE FROM tracks WHERE source = ? AND id NOT IN {_IDS}",
            (str(source), json.dumps(list(track_ids))),
        )
        if album_ids is not None:
            await self._conn.execute(
                f"DELETE FROM albums WHERE source = ? AND id NOT IN {_IDS}",
                (str(source), json.dumps(list(album_ids))),
            )
        await self.prune_albums(source)
        return cur.rowcount

    async def prune_albums(self, source: SourceKind) -> int:
        """Delete the source's albums that no track points at any more."""
        cur = await self._conn.execute(
            "DELETE FROM albums WHERE source = ? AND id NOT IN (SELECT album_id FROM tracks)",
            (str(source),),
        )
        return cur.rowcount

    # ---- reads ----

    async def albums(
        self, q: str = "", offset: int = 0, limit: int = 50
    ) -> tuple[list[Album], int]:
        """A page of albums by album artist then title, filtered by `q` when it has words."""
        where, params = album_filter(fts_words(q), self._rank_limit)
        counted = await fetch_row(
            self._conn, f"SELECT count(*) FROM albums a WHERE {where}", params
        )
        total = int(counted[0]) if counted else 0
        rows = await self._fetch(
            f"SELECT {ALBUM_COLS} FROM albums a WHERE {where} ORDER BY {_ALBUM_ORDER}"
            " LIMIT ? OFFSET ?",
            (*params, max(0, limit), max(0, offset)),
        )
        return await self._albums(rows), total

    async def album(self, album_id: str) -> Album | None:
        """One album with its tracks in disc, track, title order; None when unknown."""
        rows = await self._fetch(f"SELECT {ALBUM_COLS} FROM albums a WHERE a.id = ?", (album_id,))
        if not rows:
            return None
        tracks = await self.album_tracks(album_id)
        offline = [t.id for t in tracks if t.available_offline]
        r = rows[0]
        return Album(
            id=AlbumId(r["id"]),
            title=r["title"],
            artists=load_names(r["artists"]),
            year=r["year"],
            track_count=len(tracks),
            duration=sum(t.duration for t in tracks),
            available_offline=availability(len(tracks), len(offline)),
            tracks=tuple(tracks),
        )

    async def album_tracks(self, album_id: str) -> list[Track]:
        """An album's tracks in disc, track, title order (also when its album row is gone)."""
        return await self._tracks_where(f"t.album_id = ? ORDER BY {TRACK_ORDER}", (album_id,))

    async def track(self, item_id: str) -> Track | None:
        """One track, or None."""
        found = await self._tracks_where("t.id = ?", (item_id,))
        return found[0] if found else None

    async def tracks(self, ids: Sequence[str]) -> list[Track]:
        """The known tracks among `ids`, in the order (and with the repeats) asked for."""
        if not ids:
            return []
        found = await self._tracks_where(f"t.id IN {_IDS}", (json.dumps(list(ids)),))
        by_id = {t.id: t for t in found}
        return [by_id[ItemId(i)] for i in ids if i in by_id]

    async def search(self, q: str) -> tuple[list[Track], list[Album]]:
        """Tracks (best match first) and albums whose words start with the query's words."""
        words = fts_words(q)
        if not words:
            return [], []
        tracks = await self._search_tracks(fts_query(words))
        where, params = album_filter(words, self._rank_limit)
        rows = await self._fetch(
            f"SELECT {ALBUM_COLS} FROM albums a WHERE {where} ORDER BY {_ALBUM_ORDER} LIMIT ?",
            (*params, self._search_limit),
        )
        return tracks, await self._albums(rows)

    async def _search_tracks(self, match: str) -> list[Track]:
        """Best matches first; a query so broad that it matches more than `rank_limit` tracks (one
        letter, typed first) takes the first of them by title instead: ranking every match of
        a 50,000-track catalogue costs half a second on this machine, seconds on a Pi."""
        found = await self._fetch(
            "SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH ? LIMIT ?",
            (match, self._rank_limit + 1),
        )
        if len(found) <= self._rank_limit:
            return await self._tracks_from(
                "FROM tracks_fts JOIN tracks t ON t.rowid = tracks_fts.rowid"
                " WHERE tracks_fts MATCH ?"
                " ORDER BY bm25(tracks_fts, 4.0, 2.0, 2.0), t.title COLLATE NOCASE LIMIT ?",
                (match, self._search_limit),
            )
        rowids = json.dumps([r[0] for r in found[: self._rank_limit]])
        return await self._tracks_where(
            f"t.rowid IN {_IDS} ORDER BY t.title COLLATE NOCASE, t.id LIMIT ?",
            (rowids, self._search_limit),
        )

    async def local_path(self, item_id: str) -> str | None:
        """The stored path (relative to music_dir) of a local track, or None."""
        row = await fetch_row(
            self._conn,
            "SELECT local_path FROM tracks WHERE id = ? AND source = ?",
            (item_id, str(SourceKind.LOCAL)),
        )
        return str(row[0]) if row and row[0] is not None else None

    async def local_index(self) -> LocalIndex:
        """Every local track's id by its relative path, and the size and mtime it was read at."""
        # One row of four JSON arrays instead of 20,000 Row objects: json.loads, zip, dict and set
        # build the index in C (the four aggregates see the rows in the same order).
        rows = await self._fetch(
            "SELECT json_group_array(local_path), json_group_array(id), json_group_array(size),"
            " json_group_array(mtime_ns) FROM tracks WHERE source = ? AND local_path IS NOT NULL",
            (str(SourceKind.LOCAL),),
        )
        paths, ids, sizes, mtimes = (json.loads(text) for text in rows[0]) if rows else ([],) * 4
        return LocalIndex(
            dict(zip(paths, ids, strict=True)), set(zip(paths, sizes, mtimes, strict=True))
        )

    async def every_track(self) -> list[tuple[Track, str | None, int | None]]:
        """Every track with its local path and mtime (None for other sources), album by album.

        For whole-library views (the MPD server's database); `available_offline` is only set
        for local files here, so no download lookup runs over the whole catalogue.
        """
        rows = await self._fetch(
            f"SELECT {TRACK_COLS}, t.local_path, t.mtime_ns FROM tracks t"
            f" ORDER BY t.album_id, {TRACK_ORDER}",
            (),
        )
        return [
            (to_track(r, r["source"] == SourceKind.LOCAL), r["local_path"], r["mtime_ns"])
            for r in rows
        ]

    async def tracks_fingerprint(self) -> tuple[int, str]:
        """(count, latest change) of the tracks: a whole-library view re-reads when it moves."""
        row = await fetch_row(self._conn, "SELECT count(*), max(seen_at) FROM tracks")
        return (int(row[0]), str(row[1])) if row else (0, "")

    async def release_memory(self) -> None:
        """Hand back the page cache a large write left behind: a first scan's batch statements
        grow it past cache_size (dirty pages stay until the commit), ~3 MiB kept for nothing."""
        await self._conn.execute("PRAGMA shrink_memory")

    # ---- helpers ----

    async def _fetch(self, sql: str, params: Sequence[Any]) -> list[aiosqlite.Row]:
        return await fetch_rows(self._conn, sql, params)

    async def _offline_ids(self, rows: Iterable[tuple[str, str]]) -> set[ItemId]:
        """Of (id, source) pairs, the ids playable without the network."""
        local, remote = set[ItemId](), list[ItemId]()
        for item_id, source in rows:
            if source == SourceKind.LOCAL:
                local.add(ItemId(item_id))
            else:
                remote.append(ItemId(item_id))
        if remote and self._offline is not None:
            local |= await self._offline(remote)
        return local

    async def select_tracks(self, tail: str, params: Sequence[Any]) -> list[Track]:
        """Tracks of `SELECT <track columns> {tail}` (over `tracks t`), with offline flags."""
        return await self._tracks_from(tail, params)

    async def _tracks_where(self, clause: str, params: Sequence[Any]) -> list[Track]:
        return await self._tracks_from(f"FROM tracks t WHERE {clause}", params)

    async def _tracks_from(self, tail: str, params: Sequence[Any]) -> list[Track]:
        rows = await self._fetch(f"SELECT {TRACK_COLS} {tail}", params)
        offline = await self._offline_ids((r["id"], r["source"]) for r in rows)
        return [to_track(r, ItemId(r["id"]) in offline) for r in rows]

    async def albums_of(self, rows: Sequence[aiosqlite.Row]) -> list[Album]:
        """Albums for rows of `id, title, artists, year` (a page another query chose)."""
        return await self._albums(rows)

    async def _albums(self, rows: Sequence[aiosqlite.Row]) -> list[Album]:
        """Albums for a page of album rows: tracks counted and summed for these rows only, in one
        grouped query over a covering index (the non-local ids come along for the offline check)."""
        sums = await self._fetch(
            "SELECT album_id, count(*) AS n, total(duration) AS seconds,"
            f" sum(source = ?) AS local, group_concat(iif(source != ?, id, NULL)) AS remote"
            f" FROM tracks WHERE album_id IN {_IDS} GROUP BY album_id",
            (str(SourceKind.LOCAL), str(SourceKind.LOCAL), json.dumps([r["id"] for r in rows])),
        )
        by_album = {s["album_id"]: s for s in sums}
        remote = [ItemId(i) for s in sums if s["remote"] for i in s["remote"].split(",")]
        offline = await self._offline(remote) if remote and self._offline else set[ItemId]()
        return [album_model(r, by_album.get(r["id"]), offline) for r in rows]
