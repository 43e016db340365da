"""Reading track metadata back from the catalogue (the `tracks` table), for offline use."""

from __future__ import annotations

import json

import aiosqlite

from cache.models import AlbumId, ItemId, SourceKind, Track


def track_from_row(row: aiosqlite.Row) -> Track:
    """A `tracks` row as a Track (available_offline left for the caller to fill in)."""
    return Track(
        id=ItemId(row["id"]),
        title=row["title"],
        album=row["album"],
        album_id=AlbumId(row["album_id"]),
        artists=tuple(json.loads(row["artists"] or "[]")),
        duration=float(row["duration"]),
        track_number=row["track_number"],
        disc_number=row["disc_number"],
        container=row["container"],
        size=int(row["size"]),
        source=SourceKind(row["source"]),
        album_artist=row["album_artist"],
        year=row["year"],
        replaygain_track=row["rg_track"],
        replaygain_album=row["rg_album"],
    )


async def catalogue_track(db: aiosqlite.Connection, item_id: ItemId) -> Track | None:
    """The catalogue's copy of one track, if it has one."""
    async with db.execute("SELECT * FROM tracks WHERE id = ?", (item_id,)) as cur:
        row = await cur.fetchone()
    return track_from_row(row) if row is not None else None


async def catalogue_album_tracks(db: aiosqlite.Connection, album_id: AlbumId) -> list[Track]:
    """An album's tracks in disc/track order, as last seen on the server."""
    async with db.execute(
        "SELECT * FROM tracks WHERE album_id = ? "
        "ORDER BY COALESCE(disc_number, 0), COALESCE(track_number, 0), title",
        (album_id,),
    ) as cur:
        return [track_from_row(r) for r in await cur.fetchall()]
