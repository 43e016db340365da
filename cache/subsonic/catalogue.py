"""Keeping a Subsonic server's catalogue in cache.db: albums by `getAlbumList2` (500 a page),
their songs by `getAlbum`, then the playlists (cache/subsonic/playlists.py).

A later sync reads the album list again but asks `getAlbum` only for albums that are new or whose
song count or length moved, so a quiet library costs a few list pages, not one call per album.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import aiosqlite

from cache.catalogue import AlbumRecord, Catalogue, TrackRecord
from cache.db import fetch_rows
from cache.models import AlbumId, ItemId, SourceKind
from cache.playlists import Playlists
from cache.subsonic.client import SubsonicClient
from cache.subsonic.convert import album_record, track_from_song
from cache.subsonic.playlists import sync_playlists

log = logging.getLogger(__name__)
PAGE = 500  # the most getAlbumList2 gives in one answer
_KNOWN = """
SELECT album_id, count(*), coalesce(sum(duration), 0), json_group_array(id) FROM tracks
WHERE source = 'subsonic' GROUP BY album_id
"""


@dataclass(frozen=True, slots=True)
class SyncResult:
    albums: int
    albums_read: int  # albums whose songs were asked for (all of them the first time)
    tracks: int
    removed_tracks: int
    playlists: int = 0


@dataclass(frozen=True, slots=True)
class _Known:
    count: int
    duration: float
    track_ids: tuple[ItemId, ...]


async def album_list(client: SubsonicClient, page: int = PAGE) -> list[dict[str, Any]]:
    """Every album entry, page by page, until a short page."""
    entries: list[dict[str, Any]] = []
    offset = 0
    while True:
        params = {"type": "alphabeticalByName", "size": str(page), "offset": str(offset)}
        body = await client.call("getAlbumList2", params)
        found = (body.get("albumList2") or {}).get("album") or []
        entries += [e for e in found if isinstance(e, dict) and "id" in e]
        if len(found) < page:
            return entries
        offset += len(found)


def _unchanged(entry: dict[str, Any], known: _Known | None) -> bool:
    if known is None:
        return False
    duration = entry.get("duration")
    same_length = not isinstance(duration, int | float) or abs(known.duration - duration) < 1.5
    return entry.get("songCount") == known.count and same_length


async def _known_albums(db: aiosqlite.Connection) -> dict[AlbumId, _Known]:
    rows = await fetch_rows(db, _KNOWN)
    return {AlbumId(r[0]): _Known(r[1], float(r[2]), tuple(json.loads(r[3]))) for r in rows}


async def sync_catalogue(
    client: SubsonicClient, db: aiosqlite.Connection, page: int = PAGE
) -> SyncResult:
    """Bring the server's albums and tracks into the catalogue; drop what it no longer has
    (tracks with a download row stay, so an offline copy stays listed)."""
    catalogue = Catalogue(db)
    known = await _known_albums(db)
    entries = await album_list(client, page)
    kept: set[ItemId] = set()
    read = 0
    for entry in entries:
        record = album_record(entry)
        if _unchanged(entry, known.get(record.id)):
            kept.update(known[record.id].track_ids)
            await catalogue.upsert([record], [])
            continue
        kept.update(await _read_album(client, catalogue, record, str(entry["id"])))
        read += 1
    found = await fetch_rows(db, "SELECT item_id FROM downloads WHERE source = 'subsonic'")
    kept.update(ItemId(r[0]) for r in found)
    albums = {album_record(e).id for e in entries}
    removed = await catalogue.remove_unseen(SourceKind.SUBSONIC, kept, albums)
    playlists = await sync_playlists(client, Playlists(catalogue))
    result = SyncResult(len(entries), read, len(kept), removed, playlists)
    log.info("Subsonic catalogue: %s", result)
    return result


async def _read_album(
    client: SubsonicClient, catalogue: Catalogue, record: AlbumRecord, server_id: str
) -> set[ItemId]:
    body = await client.call("getAlbum", {"id": server_id})
    album = body.get("album") or {}
    songs = [s for s in album.get("song") or [] if isinstance(s, dict) and "id" in s]
    tracks = [track_from_song(s, record) for s in songs]
    await catalogue.upsert([record], [TrackRecord(t) for t in tracks])
    return {t.id for t in tracks}
