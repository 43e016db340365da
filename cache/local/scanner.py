"""Scanning the music folder into the catalogue: incremental, in batches, off the event loop.

Walking the tree and reading tags block, so both run in a worker thread (`asyncio.to_thread`) a
batch at a time; the catalogue writes happen back on the loop. A file whose size and mtime did not
change since it was read is not opened again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cache.catalogue import AlbumRecord, Catalogue, LocalEntry, TrackRecord
from cache.local.errors import UnreadableFileError
from cache.local.ids import album_id, track_id
from cache.local.tags import AUDIO_SUFFIXES, TagInfo, read_tags
from cache.models import AlbumId, ItemId, SourceKind, Track

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FileStat:
    """One audio file found by the walk."""

    relpath: str  # POSIX, relative to music_dir
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """What one scan changed in the catalogue."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    errors: int = 0

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed,"
            f" {self.unchanged} unchanged, {self.errors} unreadable"
        )


class Scanner:
    """Brings the catalogue's local tracks in line with the files under `music_dir`."""

    def __init__(self, catalogue: Catalogue, music_dir: Path, *, batch_size: int = 64) -> None:
        self._catalogue = catalogue
        self._music_dir = music_dir
        self._batch_size = max(1, batch_size)
        # Files that failed, with the size/mtime they failed at: not retried (nor logged) until
        # they change, so one broken file costs one log line, not one per rescan.
        self._failed: dict[str, tuple[int, int]] = {}

    async def scan(self) -> ScanSummary:
        """Rescan now; a scan already running (from any scanner of this catalogue) finishes first."""
        async with self._catalogue.scan_lock:
            return await self._scan()

    async def _scan(self) -> ScanSummary:
        if not await asyncio.to_thread(self._music_dir.is_dir):
            # An unmounted drive must not wipe the catalogue (and with it queues and pins).
            log.warning("music folder %s is missing; library left as it was", self._music_dir)
            return ScanSummary()
        files = await asyncio.to_thread(walk_music, self._music_dir)
        known = await self._catalogue.local_index()
        todo = [f for f in files if _changed(known.get(f.relpath), f)]
        retry = [f for f in todo if self._failed.get(f.relpath) != (f.size, f.mtime_ns)]
        added, updated, broken = await self._read_all(retry, known)
        present = {f.relpath for f in files}
        gone = [e.item_id for rel, e in known.items() if rel not in present]
        removed = await self._catalogue.remove_tracks([*gone, *broken])
        await self._catalogue.prune_albums(SourceKind.LOCAL)
        self._failed = {rel: v for rel, v in self._failed.items() if rel in present}
        unreadable = len(todo) - added - updated
        return ScanSummary(added, updated, removed, len(files) - len(todo), unreadable)

    async def _read_all(
        self, files: Sequence[FileStat], known: dict[str, LocalEntry]
    ) -> tuple[int, int, list[ItemId]]:
        """Read and store `files` a batch at a time: (added, updated, ids that became unreadable)."""
        added = updated = 0
        broken: list[ItemId] = []
        for batch in _chunks(files, self._batch_size):
            records, failures = await asyncio.to_thread(read_batch, self._music_dir, batch)
            await self._catalogue.upsert(_album_records(records), records)
            for record in records:
                self._failed.pop(record.local_path or "", None)
            updated += sum(1 for r in records if r.local_path in known)
            added += sum(1 for r in records if r.local_path not in known)
            broken += self._note_failures(failures, known)
        return added, updated, broken

    def _note_failures(
        self, failures: Sequence[tuple[FileStat, str]], known: dict[str, LocalEntry]
    ) -> list[ItemId]:
        """Log each new failure once; returns the ids of catalogued files that became unreadable."""
        stale: list[ItemId] = []
        for f, reason in failures:
            log.warning("skipping %s", reason)
            self._failed[f.relpath] = (f.size, f.mtime_ns)
            if f.relpath in known:
                stale.append(known[f.relpath].item_id)
        return stale


def _changed(entry: LocalEntry | None, f: FileStat) -> bool:
    return entry is None or entry.size != f.size or entry.mtime_ns != f.mtime_ns


def _chunks(items: Sequence[FileStat], size: int) -> Iterator[Sequence[FileStat]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def walk_music(root: Path) -> list[FileStat]:
    """Every audio file under `root`, sorted; hidden entries skipped, symlinks followed only
    while they stay inside `root`, each real directory and file taken once. Blocking."""
    real_root = root.resolve()
    seen_dirs: set[str] = set()
    seen_files: set[str] = set()
    found: list[FileStat] = []
    for dirpath, dirnames, filenames in os.walk(real_root, followlinks=True):
        real_dir = os.path.realpath(dirpath)
        if not _inside(real_dir, real_root) or real_dir in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add(real_dir)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or Path(name).suffix.lower() not in AUDIO_SUFFIXES:
                continue
            f = _stat_file(real_root, Path(dirpath) / name, seen_files)
            if f is not None:
                found.append(f)
    return sorted(found, key=lambda f: f.relpath)


def _inside(real_path: str, real_root: Path) -> bool:
    return Path(real_path).is_relative_to(real_root)


def _stat_file(real_root: Path, path: Path, seen: set[str]) -> FileStat | None:
    real = os.path.realpath(path)
    if real in seen or not _inside(real, real_root):
        return None
    try:
        st = path.stat()
    except OSError:  # a dangling link or a file deleted mid-walk: not there
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    seen.add(real)
    return FileStat(path.relative_to(real_root).as_posix(), st.st_size, st.st_mtime_ns)


def read_batch(
    root: Path, batch: Sequence[FileStat]
) -> tuple[list[TrackRecord], list[tuple[FileStat, str]]]:
    """Read the tags of a batch of files (blocking): the records, and the failures with reasons."""
    records: list[TrackRecord] = []
    failures: list[tuple[FileStat, str]] = []
    for f in batch:
        rel = PurePosixPath(f.relpath)
        try:
            info = read_tags(root / rel, rel)
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
        container=PurePosixPath(f.relpath).suffix.lower().lstrip("."),
        size=f.size,
        source=SourceKind.LOCAL,
        available_offline=True,
        album_artist=info.album_artist,
        year=info.year,
        replaygain_track=info.replaygain_track,
        replaygain_album=info.replaygain_album,
    )


def _album_records(records: Sequence[TrackRecord]) -> list[AlbumRecord]:
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
