"""Keeping Jellyfin's catalogue in cache.db so the library can be browsed and searched offline."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import aiosqlite

from cache.jellyfin.client import JellyfinClient
from cache.models import Album, SourceKind, Track

log = logging.getLogger(__name__)

_UPSERT_ALBUM = """
INSERT INTO albums (id, source, title, artists, year, sort_title, seen_at)
VALUES (?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
ON CONFLICT(id) DO UPDATE SET source = excluded.source, title = excluded.title,
    artists = excluded.artists, year = excluded.year, sort_title = excluded.sort_title,
    seen_at = excluded.seen_at
"""

_UPSERT_TRACK = """
INSERT INTO tracks (id, source, album_id, title, album, artists, album_artist, duration,
    track_number, disc_number, container, size, year, rg_track, rg_album, seen_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
ON CONFLICT(id) DO UPDATE SET source = excluded.source, album_id = excluded.album_id,
    title = excluded.title, album = excluded.album, artists = excluded.artists,
    album_artist = excluded.album_artist, duration = excluded.duration,
    track_number = excluded.track_number, disc_number = excluded.disc_number,
    container = excluded.container, size = excluded.size, year = excluded.year,
    rg_track = excluded.rg_track, rg_album = excluded.rg_album, seen_at = excluded.seen_at
"""


@dataclass(frozen=True, slots=True)
class SyncResult:
    albums: int
    tracks: int
    removed_tracks: int


async def upsert_albums(db: aiosqlite.Connection, albums: Iterable[Album]) -> None:
    """Insert or update albums (source 'jellyfin')."""
    rows = [
        (a.id, SourceKind.JELLYFIN.value, a.title, json.dumps(list(a.artists)), a.year, a.title)
        for a in albums
    ]
    await db.executemany(_UPSERT_ALBUM, rows)


async def upsert_tracks(db: aiosqlite.Connection, tracks: Iterable[Track]) -> None:
    """Insert or update tracks; the FTS index follows through the schema's triggers."""
    rows = [
        (
            *(t.id, t.source.value, t.album_id, t.title, t.album, json.dumps(list(t.artists))),
            *(t.album_artist, t.duration, t.track_number, t.disc_number, t.container, t.size),
            *(t.year, t.replaygain_track, t.replaygain_album),
        )
        for t in tracks
    ]
    await db.executemany(_UPSERT_TRACK, rows)


async def sync_catalogue(
    client: JellyfinClient, db: aiosqlite.Connection, page_size: int = 500
) -> SyncResult:
    """Copy every album and track from the server; drop tracks the server no longer has.

    Tracks that still have a download row are kept, so an offline copy stays playable and listed.
    No explicit transaction: the connection is shared with the download manager, and a BEGIN here
    would swallow its writes. Every row is consistent on its own; a sync cut short is partly fresh.
    """
    async with db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')") as cur:
        row = await cur.fetchone()
    started = str(row[0]) if row else ""
    album_count = await _sync_albums(client, db, page_size)
    track_count = await _sync_tracks(client, db, page_size)
    cursor = await db.execute(
        "DELETE FROM tracks WHERE source = ? AND seen_at < ? "
        "AND id NOT IN (SELECT item_id FROM downloads)",
        (SourceKind.JELLYFIN.value, started),
    )
    removed = cursor.rowcount
    await db.execute(
        "DELETE FROM albums WHERE source = ? AND seen_at < ? "
        "AND id NOT IN (SELECT album_id FROM tracks)",
        (SourceKind.JELLYFIN.value, started),
    )
    log.info(
        "Jellyfin catalogue: %d albums, %d tracks, %d removed", album_count, track_count, removed
    )
    return SyncResult(album_count, track_count, removed)


async def _sync_albums(client: JellyfinClient, db: aiosqlite.Connection, page_size: int) -> int:
    start, total = 0, 1
    while start < total:
        albums, total = await client.albums(start=start, limit=page_size)
        if not albums:
            break
        await upsert_albums(db, albums)
        start += len(albums)
    return start


async def _sync_tracks(client: JellyfinClient, db: aiosqlite.Connection, page_size: int) -> int:
    start, total = 0, 1
    while start < total:
        tracks, total = await client.tracks(start=start, limit=page_size)
        if not tracks:
            break
        await upsert_tracks(db, tracks)
        start += len(tracks)
    return start
