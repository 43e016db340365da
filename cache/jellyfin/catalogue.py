"""Keeping Jellyfin's catalogue in cache.db so the library can be browsed and searched offline."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import aiosqlite

from cache.catalogue import AlbumRecord, Catalogue, TrackRecord
from cache.jellyfin.client import JellyfinClient
from cache.models import Album, AlbumId, ItemId, SourceKind, Track

log = logging.getLogger(__name__)
T = TypeVar("T")
Page = Callable[[int, int], Awaitable[tuple[list[T], int]]]


@dataclass(frozen=True, slots=True)
class SyncResult:
    albums: int
    tracks: int
    removed_tracks: int


def album_record(album: Album) -> AlbumRecord:
    return AlbumRecord(album.id, SourceKind.JELLYFIN, album.title, album.artists, album.year)


async def sync_catalogue(
    client: JellyfinClient, db: aiosqlite.Connection, page_size: int = 500
) -> SyncResult:
    """Copy every album and track from the server; drop what the server no longer has.

    Tracks that still have a download row are kept, so an offline copy stays playable and listed.
    """
    catalogue = Catalogue(db)
    album_ids: set[AlbumId] = set()
    track_ids: set[ItemId] = set()

    async def store_albums(albums: list[Album]) -> None:
        await catalogue.upsert([album_record(a) for a in albums], [])
        album_ids.update(a.id for a in albums)

    async def store_tracks(tracks: list[Track]) -> None:
        await catalogue.upsert([], [TrackRecord(t) for t in tracks])
        track_ids.update(t.id for t in tracks)

    await _each_page(lambda s, n: client.albums(start=s, limit=n), store_albums, page_size)
    await _each_page(lambda s, n: client.tracks(start=s, limit=n), store_tracks, page_size)
    kept = track_ids | await _downloaded_ids(db)
    removed = await catalogue.remove_unseen(SourceKind.JELLYFIN, kept)
    log.info(
        "Jellyfin catalogue: %d albums, %d tracks, %d removed",
        len(album_ids),
        len(track_ids),
        removed,
    )
    return SyncResult(len(album_ids), len(track_ids), removed)


async def _each_page(
    fetch: Page[T], store: Callable[[list[T]], Awaitable[None]], size: int
) -> None:
    start, total = 0, 1
    while start < total:
        items, total = await fetch(start, size)
        if not items:
            break
        await store(items)
        start += len(items)


async def _downloaded_ids(db: aiosqlite.Connection) -> set[ItemId]:
    async with db.execute("SELECT item_id FROM downloads WHERE source = 'jellyfin'") as cur:
        return {ItemId(row[0]) for row in await cur.fetchall()}
