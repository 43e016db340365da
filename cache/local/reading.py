"""Reading a scan's files into catalogue records: in a thread, or in worker processes.

Tag parsing is pure Python and holds the GIL, so threads do not add up; on 2 cores two worker
processes nearly halve a first scan of thousands of files. They are plain `python -m
cache.local.reading` children fed a pickled list of files on stdin (multiprocessing would re-import
the service's __main__ in each, i.e. start the service again), started only for a scan that large
and gone when it ends, so an idle service keeps no extra process resident.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cache.catalogue import AlbumRecord, RowsJson, TrackRecord, rows_json
from cache.local.errors import UnreadableFileError
from cache.local.ids import album_id, track_id
from cache.local.tags import TagInfo, read_tags
from cache.local.walk import FileStat, suffix
from cache.models import AlbumId, SourceKind, Track

log = logging.getLogger(__name__)
Failures = list[tuple[FileStat, str]]


@dataclass(frozen=True, slots=True)
class Batch:
    """What reading a batch of files gave: the catalogue rows, the paths read, the failures."""

    rows: RowsJson
    paths: list[str]
    failures: Failures


PARALLEL_MIN = 2000  # fewer files than this: a worker's start-up costs more than it saves
_CHUNK = 500
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # where `cache` is importable from


async def read_files(root: Path, files: Sequence[FileStat], workers: int) -> AsyncIterator[Batch]:
    """The records (and failures) of `files`, a batch at a time in order."""
    if workers >= 2 and len(files) >= PARALLEL_MIN:
        share = -(-len(files) // workers)
        parts = [files[i : i + share] for i in range(0, len(files), share)]
        for batch in await asyncio.gather(*(_in_worker(root, part) for part in parts)):
            yield batch
        return
    for start in range(0, len(files), _CHUNK):
        yield await asyncio.to_thread(read_rows, root, files[start : start + _CHUNK])


async def _in_worker(root: Path, files: Sequence[FileStat]) -> Batch:
    """read_rows in a child process; in a thread instead when the child cannot run."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([_PACKAGE_ROOT, os.environ.get("PYTHONPATH", "")]),
    }
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cache.local.reading",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        out, _ = await proc.communicate(pickle.dumps((str(root), list(files))))
        if proc.returncode == 0:
            batch: Batch = pickle.loads(out)  # our own child's answer, not outside input
            return batch
        log.warning("tag reader process failed (%s); reading in this process", proc.returncode)
    except OSError as err:
        log.warning("cannot start a tag reader process (%s); reading in this process", err)
    return await asyncio.to_thread(read_rows, root, files)


def default_workers() -> int:
    """Worker processes for a large scan: one per core, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def read_rows(root: Path, batch: Sequence[FileStat]) -> Batch:
    """read_batch, with the records made into catalogue rows (in album order: the album index then
    grows at its end, full pages, instead of splitting pages all over) and then let go."""
    records, failures = read_batch(root, batch)
    records.sort(key=lambda r: r.track.album_id)
    paths = [r.local_path or "" for r in records]
    return Batch(rows_json(album_records(records), records), paths, failures)


def read_batch(root: Path, batch: Sequence[FileStat]) -> tuple[list[TrackRecord], Failures]:
    """Read the tags of a batch of files (blocking): the records, and the failures with reasons."""
    records: list[TrackRecord] = []
    failures: Failures = []
    base = str(root)
    for f in batch:
        try:
            info = read_tags(f"{base}/{f.relpath}", f.relpath)
        except UnreadableFileError as err:
            failures.append((f, str(err)))
            continue
        records.append(TrackRecord(_track(f, info), local_path=f.relpath, mtime_ns=f.mtime_ns))
    return records, failures


def _album_artist(album_artist: str, artists: Sequence[str]) -> str:
    return album_artist or (artists[0] if artists else "")


def _track(f: FileStat, info: TagInfo) -> Track:
    return Track(
        id=track_id(f.relpath),
        title=info.title,
        album=info.album,
        album_id=album_id(_album_artist(info.album_artist, info.artists), info.album),
        artists=info.artists,
        duration=info.duration,
        track_number=info.track_number,
        disc_number=info.disc_number,
        container=suffix(f.relpath).lstrip("."),
        size=f.size,
        source=SourceKind.LOCAL,
        available_offline=True,
        album_artist=info.album_artist,
        year=info.year,
        replaygain_track=info.replaygain_track,
        replaygain_album=info.replaygain_album,
    )


def album_records(records: Sequence[TrackRecord]) -> list[AlbumRecord]:
    """The albums of a batch of tracks; the earliest year among an album's tracks wins."""
    albums: dict[AlbumId, AlbumRecord] = {}
    for record in records:
        t = record.track
        artist = _album_artist(t.album_artist, t.artists)
        prev = albums.get(t.album_id)
        years = [y for y in (t.year, prev.year if prev else None) if y is not None]
        albums[t.album_id] = AlbumRecord(
            id=t.album_id,
            source=SourceKind.LOCAL,
            title=t.album,
            artists=(artist,) if artist else (),
            year=min(years) if years else None,
        )
    return list(albums.values())


def _worker_main() -> None:
    root, files = pickle.load(sys.stdin.buffer)
    sys.stdout.buffer.write(pickle.dumps(read_rows(Path(root), files)))


if __name__ == "__main__":
    # Run as the module proper, not as __main__, so what it pickles names cache.local.reading.Batch.
    from cache.local import reading

    reading._worker_main()
