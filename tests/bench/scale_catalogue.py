"""Large catalogues for the scale benchmark: cache.db rows written directly, and a fake Jellyfin."""

from __future__ import annotations

import random

import aiosqlite

from cache.catalogue import AlbumRecord, Catalogue, TrackRecord
from cache.models import AlbumId, ItemId, SourceKind, Track
from tests.fakes.jellyfin import FakeJellyfin


async def fill_catalogue(conn: aiosqlite.Connection, albums: int, tracks: int) -> None:
    """`albums` albums (every other one local, the rest Jellyfin's) sharing `tracks` tracks."""
    rnd = random.Random(14)
    album_rows, track_rows = [], []
    for a in range(albums):
        source = SourceKind.JELLYFIN if a % 2 else SourceKind.LOCAL
        artist = f"Artist {rnd.randrange(albums // 6 + 1):05d}"
        album = AlbumRecord(AlbumId(f"b{a:06d}"), source, f"Album {rnd.random():.8f}", (artist,))
        album_rows.append(album)
        count = tracks // albums + (1 if a < tracks % albums else 0)
        for n in range(count):
            track = Track(
                id=ItemId(f"b{a:06d}t{n:03d}"), title=f"Song {n} {rnd.randrange(99_999)}",
                album=album.title, album_id=album.id, artists=album.artists, duration=200.0,
                track_number=n + 1, disc_number=1, container="flac", size=5_000_000,
                source=source, album_artist=artist,
            )  # fmt: skip
            local = f"{a}/{n}.flac" if source is SourceKind.LOCAL else None
            track_rows.append(TrackRecord(track, local_path=local, mtime_ns=1 if local else None))
    await Catalogue(conn).upsert(album_rows, track_rows)


def fill_fake_jellyfin(fake: FakeJellyfin, albums: int, tracks: int) -> None:
    """`albums` albums of `tracks` tracks in all on the fake server (sizes only; no bytes made)."""
    per_album, extra = divmod(tracks, albums)
    for a in range(albums):
        count = per_album + (1 if a < extra else 0)
        artist = (f"Band {a // 5:04d}",)
        fake.add_album(f"Record {a:05d}", [4_000_000] * count, artists=artist, year=1990 + a % 30)
    for item in [*fake.albums.values(), *fake.tracks.values()]:
        item.saved = item.saved.replace(year=2020)  # a library last edited long before this run
