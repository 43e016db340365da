"""Reading a scan's files into catalogue rows (blocking; cache.local.workers runs it in worker
processes or a thread)."""

from __future__ import annotations

import functools
import json
import os
import pickle
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cache.local.errors import UnreadableFileError
from cache.local.ids import album_id, track_id
from cache.local.tags import TagInfo, read_tags
from cache.local.walk import FileStat, suffix
from cache.models import AlbumId, SourceKind

Failures = list[tuple[FileStat, str]]
Row = list[Any]
CHUNK = 500  # files per frame a worker sends (and per thread hop without workers)


@dataclass(frozen=True, slots=True)
class Batch:
    """What reading a batch of files gave: the catalogue rows (the column order of
    cache.catalogue_rows), the paths read, the failures."""

    albums: list[Row]
    tracks: list[Row]
    paths: list[str]
    failures: Failures


def default_workers() -> int:
    """Worker processes for a large scan: one per core, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def read_rows(root: Path, batch: Sequence[FileStat]) -> Batch:
    """Read the tags of a batch of files (blocking) straight into catalogue rows (the layout of
    cache.catalogue_rows' upserts), with no Track objects in between: a first scan makes 20,000.

    The rows go in album order, so the album index grows at its end, full pages, instead of
    splitting pages all over."""
    rows: list[Row] = []
    albums: dict[AlbumId, _Album] = {}
    ids: dict[tuple[str, str], AlbumId] = {}
    failures: Failures = []
    base = str(root)
    for f in batch:
        try:
            info = read_tags(f"{base}/{f.relpath}", f.relpath)
        except UnreadableFileError as err:
            failures.append((f, str(err)))
            continue
        album = _album_of(albums, ids, info)
        rows.append(_track_row(f, info, album.id))
    rows.sort(key=lambda row: row[2])
    album_rows = [albums[aid].row() for aid in sorted(albums)]
    paths = [row[15] for row in rows]
    return Batch(album_rows, rows, paths, failures)


@dataclass(slots=True)
class _Album:
    """An album met in a batch; the earliest year among its tracks wins."""

    id: AlbumId
    title: str
    artist: str
    year: int | None

    def row(self) -> Row:
        artists = _names((self.artist,) if self.artist else ())
        return [self.id, _LOCAL, self.title, artists, self.year, None, self.title.casefold()]


def _album_of(
    albums: dict[AlbumId, _Album], ids: dict[tuple[str, str], AlbumId], info: TagInfo
) -> _Album:
    """The album of `info`, met before or new; the last track's spelling names it (as the
    upsert of several rows with one id would)."""
    artist = info.album_artist or (info.artists[0] if info.artists else "")
    key = (artist, info.album)
    if (aid := ids.get(key)) is None:
        aid = ids[key] = album_id(artist, info.album)  # one hash per album, not per track
    album = albums.get(aid)
    if album is None:
        album = albums[aid] = _Album(aid, info.album, artist, info.year)
        return album
    album.title, album.artist = info.album, artist
    if info.year is not None and (album.year is None or info.year < album.year):
        album.year = info.year
    return album


def _track_row(f: FileStat, info: TagInfo, album: AlbumId) -> Row:
    """The columns of catalogue_rows._track_row, for a local file (one list display: no tuples
    made to be unpacked, once per file)."""
    rel = f.relpath
    return [track_id(rel), _LOCAL, album, info.title, info.album, _names(info.artists),
            info.album_artist, info.duration, info.track_number, info.disc_number,
            suffix(rel)[1:], f.size, info.year,
            info.replaygain_track, info.replaygain_album, rel, f.mtime_ns]  # fmt: skip


@functools.lru_cache(maxsize=1024)
def _names(names: tuple[str, ...]) -> str:
    # As catalogue_rows stores names: a JSON array, non-ASCII kept (the FTS index reads it).
    # Cached: an album's tracks repeat one artist (a json.dumps per track was a tenth of the
    # reading; the cache's C lookup is not).
    return json.dumps(list(names), ensure_ascii=False)


_LOCAL = str(SourceKind.LOCAL)


def _worker_main() -> None:
    """A scan's worker process (cache.local.workers): files in on stdin, a frame (8-byte length,
    pickled Batch) per chunk out on stdout. Kept here, not beside its parent's side, so a worker
    imports no asyncio."""
    root, *columns = pickle.load(sys.stdin.buffer)
    files = list(map(FileStat._make, zip(*columns, strict=True)))
    out = sys.stdout.buffer
    for start in range(0, len(files), CHUNK):
        frame = pickle.dumps(read_rows(Path(root), files[start : start + CHUNK]))
        out.write(len(frame).to_bytes(8, "big") + frame)
        out.flush()


if __name__ == "__main__":
    # Run as the module proper, not as __main__, so what it pickles names cache.local.reading.Batch.
    from cache.local import reading

    reading._worker_main()
