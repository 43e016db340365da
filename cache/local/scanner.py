"""Scanning the music folder into the catalogue: incremental, in large batches, off the event loop.

The walk runs in a worker thread, the tags are read in a thread or worker processes
(cache.local.reading), and the catalogue writes happen back on the loop in a few large
statements: each write batch touches every page of the id and album indexes (their keys are
hashes), so fewer, larger batches write far less to the SD card. A file whose size and mtime did
not change since it was read is not opened again, so a rescan that finds nothing writes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cache.catalogue import Catalogue
from cache.local.playlists import read_playlists
from cache.local.reading import default_workers
from cache.local.walk import FileStat, walk_music
from cache.local.workers import read_files
from cache.models import ItemId, SourceKind
from cache.playlists import Playlists

__all__ = ["FileStat", "ScanSummary", "Scanner", "walk_music"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """What one scan changed in the catalogue."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    errors: int = 0
    playlists: int = 0

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed,"
            f" {self.unchanged} unchanged, {self.errors} unreadable, {self.playlists} playlists"
        )


class Scanner:
    """Brings the catalogue's local tracks in line with the files under `music_dir`."""

    def __init__(
        self,
        catalogue: Catalogue,
        music_dir: Path,
        *,
        batch_size: int = 10_000,
        workers: int | None = None,
    ) -> None:
        self._catalogue = catalogue
        self._playlists = Playlists(catalogue)
        self._music_dir = music_dir
        self._batch_size = max(1, batch_size)  # records per catalogue write
        self._workers = default_workers() if workers is None else workers
        # Files that failed, with the size/mtime they failed at: not retried (nor logged) until
        # they change, so one broken file costs one log line, not one per rescan.
        self._failed: dict[str, tuple[int, int]] = {}
        self._pruned = False  # the first scan prunes whatever an interrupted one left behind

    async def scan(self) -> ScanSummary:
        """Rescan now; a scan already running (from any scanner of this catalogue) finishes first."""
        async with self._catalogue.scan_lock:
            return await self._scan()

    async def _scan(self) -> ScanSummary:
        # The walk (a thread) and the catalogue's index (the database's thread) at once: on two
        # cores a rescan that finds nothing new is the longer of the two, not their sum.
        playlist_files: list[str] = []
        files, known = await asyncio.gather(
            asyncio.to_thread(_walk_if_there, self._music_dir, playlist_files),
            self._catalogue.local_index(),
        )
        if files is None:
            # An unmounted drive must not wipe the catalogue (and with it queues and pins).
            log.warning("music folder %s is missing; library left as it was", self._music_dir)
            return ScanSummary()
        # A FileStat is a tuple (path, size, mtime): a file read before at this size and mtime
        # is in the index's set, which a rescan of 20,000 files tells in C.
        stats = known.stats
        todo = [f for f in files if f not in stats]
        retry = [f for f in todo if self._failed.get(f.relpath) != (f.size, f.mtime_ns)]
        added, updated, broken = await self._read_all(retry, known.ids)
        present = {f.relpath for f in files}
        gone = [known.ids[rel] for rel in known.ids.keys() - present]
        removed = await self._catalogue.remove_tracks([*gone, *broken])
        if retry or removed or not self._pruned:  # nothing written: no album can have emptied
            await self._catalogue.prune_albums(SourceKind.LOCAL)
            self._pruned = True
        self._failed = {rel: v for rel, v in self._failed.items() if rel in present}
        unreadable = len(todo) - added - updated
        playlists = await self._sync_playlists(playlist_files)
        return ScanSummary(added, updated, removed, len(files) - len(todo), unreadable, playlists)

    async def _sync_playlists(self, relpaths: list[str]) -> int:
        """Every .m3u file read again (they are small); only changed rows are written."""
        found = await asyncio.to_thread(read_playlists, self._music_dir, relpaths)
        await self._playlists.upsert(found)
        await self._playlists.remove_unseen(SourceKind.LOCAL, [p.id for p in found])
        return len(found)

    async def _read_all(
        self, files: Sequence[FileStat], known: dict[str, ItemId]
    ) -> tuple[int, int, list[ItemId]]:
        """Read and store `files` a batch at a time: (added, updated, ids that became unreadable)."""
        added = updated = 0
        broken: list[ItemId] = []
        if not files:  # a rescan that finds nothing changed stages nothing
            return added, updated, broken
        async with self._catalogue.staged() as stage:
            async for batch in read_files(self._music_dir, files, self._workers):
                await stage.add(batch.albums, batch.tracks)
                for path in batch.paths:
                    self._failed.pop(path, None)
                updated += sum(1 for path in batch.paths if path in known)
                added += sum(1 for path in batch.paths if path not in known)
                broken += self._note_failures(batch.failures, known)
                if stage.staged >= self._batch_size:
                    await stage.write()
            if stage.staged:
                await stage.write()
        return added, updated, broken

    def _note_failures(
        self, failures: Sequence[tuple[FileStat, str]], known: dict[str, ItemId]
    ) -> list[ItemId]:
        """Log each new failure once; returns the ids of catalogued files that became unreadable."""
        stale: list[ItemId] = []
        for f, reason in failures:
            log.warning("skipping %s", reason)
            self._failed[f.relpath] = (f.size, f.mtime_ns)
            if f.relpath in known:
                stale.append(known[f.relpath])
        return stale


def _walk_if_there(music_dir: Path, playlists: list[str]) -> list[FileStat] | None:
    return walk_music(music_dir, playlists) if music_dir.is_dir() else None
