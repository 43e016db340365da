"""What the planner reads from cache.db: the files on disk (downloads rows), the user's pins, and
albums in their play order, as the planner's frozen types."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import aiosqlite

from cache.catalogue import Catalogue
from cache.db import fetch_rows
from cache.models import AlbumId, ItemId, SourceKind, Track
from cache.planner.snapshot import FileState, Item, Origin
from cache.quality import Profile, expected_size

_ROWS = """
SELECT d.item_id, d.album_id, d.status, d.origin, d.file_size, d.bytes_downloaded,
       d.queued_at, d.completed_at, d.last_access, d.played_at, COALESCE(t.duration, 0) AS duration
FROM downloads d LEFT JOIN tracks t ON t.id = d.item_id
WHERE d.status != 'cancelled'
"""


# Never the pre-cacher's to fetch or evict: the music folder's files are on disk already, and a
# radio station is a live stream (it counts as "there", with no bytes, so the plan skips it).
_NOT_FETCHED = frozenset({SourceKind.LOCAL, SourceKind.RADIO})


def local_files(tracks: Iterable[Track]) -> dict[ItemId, FileState]:
    """Tracks of the local music folder, and radio stations: never fetched, never evicted."""
    return {
        ItemId(t.id): FileState(ItemId(t.id), t.size, t.size, origin=Origin.USER)
        for t in tracks
        if t.source in _NOT_FETCHED
    }


def to_item(track: Track, profile: Profile | None = None) -> Item:
    """A catalogue track as the planner sees it: sized as the copy the download would keep
    (bitrate x duration for a transcode; a local original is never replaced by one)."""
    size = track.size if track.source in _NOT_FETCHED else expected_size(profile, track)
    return Item(ItemId(track.id), AlbumId(track.album_id), size, track.duration)


async def read_downloads(
    db: aiosqlite.Connection, sources: Sequence[str]
) -> tuple[dict[ItemId, FileState], list[Item]]:
    """Files with bytes on disk, and the user's pins (downloads asked for by a person), of the
    `sources` the download manager fetches (the rest transfer by themselves: not the plan's)."""
    files: dict[ItemId, FileState] = {}
    pins: list[Item] = []
    marks = ",".join("?" * len(sources))
    sql = f"{_ROWS} AND d.source IN ({marks}) ORDER BY d.queued_at, d.id"
    for row in await fetch_rows(db, sql, list(sources)):
        item_id = ItemId(row["item_id"])
        size = int(row["file_size"] or 0)
        origin = Origin(row["origin"])
        if origin is Origin.USER and row["status"] != "failed":
            pins.append(Item(item_id, AlbumId(row["album_id"]), size, row["duration"]))
        state = _file_state(row, item_id, size, origin)
        if state is not None:
            files[item_id] = state
    return files, pins


def _file_state(row: aiosqlite.Row, item_id: ItemId, size: int, origin: Origin) -> FileState | None:
    complete = row["status"] == "completed"
    on_disk = size if complete else int(row["bytes_downloaded"] or 0)
    if on_disk <= 0 and row["status"] != "downloading":
        return None
    fetched = epoch(row["completed_at"]) or epoch(row["queued_at"])
    return FileState(
        item_id=item_id,
        size=size,
        bytes_on_disk=on_disk,
        origin=origin,
        fetched_at=fetched,
        last_access=epoch(row["last_access"]) or fetched,
        played=row["played_at"] is not None,
        downloading=row["status"] == "downloading",
    )


async def album_items(
    catalogue: Catalogue, album_ids: Iterable[AlbumId], profile: Profile | None = None
) -> dict[AlbumId, tuple[Item, ...]]:
    """The tracks of each album in disc/track order."""
    out: dict[AlbumId, tuple[Item, ...]] = {}
    for album_id in album_ids:
        tracks = await catalogue.album_tracks(album_id)
        out[album_id] = tuple(to_item(t, profile) for t in tracks)
    return out


def epoch(stamp: str | None) -> float:
    """An ISO-8601 timestamp of the table as POSIX seconds (0.0 when absent or unreadable)."""
    if not stamp:
        return 0.0
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0
