"""Re-reading Jellyfin's catalogue only when the server says something changed.

A full sync of 50,000 tracks is ~110 requests and seconds of parsing; done at every start and
every few hours it mostly finds nothing. So the service asks first, in two requests of no items
each (`Limit=0`): how many items were saved since the last full sync (`MinDateLastSaved`, which
catches additions and edits, a playlist's too) and how many tracks there are now (which catches
removals). Only a yes to either, or a last full sync older than `full_every`, reads the whole
catalogue. Nothing is written when nothing changed: the mark is stored only after a full sync.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import aiosqlite

from cache.db import fetch_row
from cache.jellyfin.catalogue import SyncResult, sync_catalogue
from cache.jellyfin.client import JellyfinClient

log = logging.getLogger(__name__)
META_KEY = "jellyfin_catalogue_sync"
# The "since" is taken by this device's clock; the margin absorbs a server clock that runs behind.
CLOCK_MARGIN = 600.0


@dataclass(frozen=True, slots=True)
class SyncMark:
    """When the last full sync started (Unix seconds) and how many tracks the server had then."""

    started_at: float
    tracks: int


async def refresh_catalogue(
    client: JellyfinClient,
    db: aiosqlite.Connection,
    *,
    full_every: float = 7 * 86400.0,
    clock: Callable[[], float] = time.time,
) -> SyncResult | None:
    """A full sync when due or when the server reports a change; None when it was not needed."""
    mark = await load_mark(db)
    started = clock()
    due = mark is None or started - mark.started_at >= full_every
    if mark is not None and not due and not await server_changed(client, mark):
        log.info("Jellyfin catalogue unchanged since the last sync")
        return None
    result = await sync_catalogue(client, db)
    await _save_mark(db, SyncMark(started, result.tracks))
    return result


async def server_changed(client: JellyfinClient, mark: SyncMark) -> bool:
    """Whether any item was saved since `mark`, or the number of tracks moved."""
    since = datetime.fromtimestamp(mark.started_at - CLOCK_MARGIN, UTC)
    common = {"Recursive": "true", "Limit": "0", "EnableImages": "false", "EnableUserData": "false"}
    saved = await client.get_json(
        "/Items",
        common
        | {
            "IncludeItemTypes": "Audio,MusicAlbum,Playlist",
            "MinDateLastSaved": since.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
        },
    )
    if int(saved.get("TotalRecordCount", 0)) > 0:
        return True
    tracks = await client.get_json("/Items", common | {"IncludeItemTypes": "Audio"})
    return int(tracks.get("TotalRecordCount", 0)) != mark.tracks


async def load_mark(db: aiosqlite.Connection) -> SyncMark | None:
    row = await fetch_row(db, "SELECT value FROM meta WHERE key = ?", (META_KEY,))
    if row is None:
        return None
    try:
        stored = json.loads(row[0])
        return SyncMark(float(stored["started_at"]), int(stored["tracks"]))
    except (ValueError, KeyError, TypeError):
        return None  # unreadable: as if never synced, so the next sync is a full one


async def _save_mark(db: aiosqlite.Connection, mark: SyncMark) -> None:
    value = json.dumps({"started_at": mark.started_at, "tracks": mark.tracks})
    await db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (META_KEY, value),
    )
