"""Making disk and database agree after a crash, a power cut, a full disk or a lost cache.db.

Rules (run once at start, before any download runs):
- rows left `downloading` go back to `pending`; they resume from their `.part` file;
- a `.part` file is kept only for a row that will still run (pending, paused, failed), else
  deleted: it is an unfinished transfer, never a file anyone could play;
- a final file is never deleted for want of a row. Without one (cache.db lost or rebuilt) a
  file whose path names its item (paths are derived from ids, see paths.py) is adopted as a
  completed download, unless the catalogue knows the item at another size; anything else is moved
  aside into `lost+found/` for a person to look at;
- a non-completed row whose final file is already there with the right size (crash between
  rename and database update) is marked completed; at another size the file is moved aside;
- a completed row whose file is missing or has the wrong size is queued again.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cache.downloads.models import Download, DownloadStatus, Origin
from cache.downloads.paths import MEDIA_DIR, PART_SUFFIX, absolute, part_path
from cache.downloads.store import DownloadStore, NewDownload, now_iso
from cache.models import SourceKind, Track
from cache.repairs import RepairSink, ignore_repair, repair

log = logging.getLogger(__name__)

LOST_AND_FOUND = "lost+found"
_RESUMABLE = (DownloadStatus.PENDING, DownloadStatus.PAUSED, DownloadStatus.FAILED)
# Sources whose ids are the file names and whose catalogue comes back from the server: their
# files can be adopted. slskd's catalogue rows live only in cache.db, so its orphans go aside.
_ADOPTABLE = frozenset({SourceKind.JELLYFIN.value, SourceKind.SUBSONIC.value})
TrackLookup = Callable[[str], Awaitable[Track | None]]


async def _no_lookup(_item_id: str) -> Track | None:
    return None


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    reset: int  # downloading -> pending
    requeued: int  # completed rows whose file was missing or wrong
    adopted: int  # finished files whose row had not been marked yet, or had no row at all
    removed: tuple[str, ...]  # relative paths of part files deleted
    moved_aside: tuple[str, ...] = ()  # relative paths of final files moved into lost+found/


@dataclass
class _Tally:
    removed: list[str]
    moved: list[str]
    adopted: int = 0
    orphans_adopted: int = 0


def _scan(cache_dir: Path) -> dict[str, int]:
    """Every file under media/, relative path -> size (blocking; run in a thread)."""
    root = cache_dir / MEDIA_DIR
    found: dict[str, int] = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            found[path.relative_to(cache_dir).as_posix()] = path.stat().st_size
    return found


async def reconcile(
    store: DownloadStore,
    cache_dir: Path,
    *,
    lookup: TrackLookup = _no_lookup,
    on_repair: RepairSink = ignore_repair,
) -> ReconcileReport:
    """Apply the rules above; returns what changed (also logged, and repairs reported)."""
    running = await store.with_status([DownloadStatus.DOWNLOADING])
    for stale in running:
        await store.update(stale.id, status=DownloadStatus.PENDING, wait_reason=None)
    rows = {
        path: row
        for path, row in (await store.file_paths()).items()
        if row.status != DownloadStatus.CANCELLED
    }
    files = await asyncio.to_thread(_scan, cache_dir)
    tally = _Tally([], [])
    for rel, size in sorted(files.items()):
        await _settle(store, cache_dir, rows, rel, size, lookup, tally)
    for rel in tally.removed:
        (cache_dir / rel).unlink(missing_ok=True)
    requeued = await _requeue_broken(store, cache_dir, files, on_repair)
    _report_orphans(tally, on_repair)
    report = ReconcileReport(
        len(running), requeued, tally.adopted, tuple(tally.removed), tuple(tally.moved)
    )
    log.info("reconciled downloads: %s", report)
    return report


async def _settle(
    store: DownloadStore,
    cache_dir: Path,
    rows: dict[str, Download],
    rel: str,
    size: int,
    lookup: TrackLookup,
    tally: _Tally,
) -> None:
    """Keep, adopt, delete (part files only) or move aside the file at `rel`."""
    if rel.endswith(PART_SUFFIX):
        owner = rows.get(rel[: -len(PART_SUFFIX)])
        if owner is None or owner.status not in _RESUMABLE:
            tally.removed.append(rel)
        else:
            await store.update(owner.id, bytes_downloaded=size)
        return
    row = rows.get(rel)
    if row is None:
        if await _adopt_orphan(store, rel, size, lookup):
            tally.adopted += 1
            tally.orphans_adopted += 1
        else:
            tally.moved.append(await asyncio.to_thread(move_aside, cache_dir, rel))
    elif row.status == DownloadStatus.COMPLETED:
        return  # its size is checked by _requeue_broken
    elif row.file_size and size == row.file_size:
        await _adopt(store, row, size, cache_dir)
        tally.adopted += 1
    else:
        tally.moved.append(await asyncio.to_thread(move_aside, cache_dir, rel))


def _identify(rel: str) -> tuple[str, str] | None:
    """(source, item id) from `media/<source>/<id[:2]>/<id>.<ext>`, if the path is one of ours."""
    parts = PurePosixPath(rel).parts
    if len(parts) != 4 or parts[0] != MEDIA_DIR or parts[1] not in _ADOPTABLE:
        return None
    item_id = PurePosixPath(parts[3]).stem
    return (parts[1], item_id) if item_id[:2] == parts[2] and item_id else None


async def _adopt_orphan(store: DownloadStore, rel: str, size: int, lookup: TrackLookup) -> bool:
    """A final file without a row: a completed download again, when it is recognisably one."""
    known = _identify(rel)
    if known is None or await store.get_by_item(known[1]) is not None:
        return False
    source, item_id = known
    track = await lookup(item_id)
    if track is not None and track.size and track.size != size:
        return False
    new = NewDownload(
        item_id=item_id, user_id="", source=source, origin=Origin.USER,
        title=track.title if track else "", album=track.album if track else "",
        album_id=track.album_id if track else "", file_size=size, file_path=rel,
    )  # fmt: skip
    row = await store.insert(new)
    await _adopt(store, row, size, None)
    return True


def move_aside(cache_dir: Path, rel: str) -> str:
    """Move a media file to `lost+found/<rel>` (blocking); returns its new relative path."""
    target = cache_dir / LOST_AND_FOUND / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    (cache_dir / rel).replace(target)
    log.warning("media file %s has no download that vouches for it: moved to %s", rel, target)
    return target.relative_to(cache_dir).as_posix()


async def _adopt(store: DownloadStore, row: Download, size: int, cache_dir: Path | None) -> None:
    if row.file_path and cache_dir is not None:
        part_path(absolute(cache_dir, row.file_path)).unlink(missing_ok=True)
    await store.update(
        row.id,
        status=DownloadStatus.COMPLETED,
        progress=1.0,
        bytes_downloaded=size,
        completed_at=now_iso(),
        error_message=None,
        wait_reason=None,
    )


def _report_orphans(tally: _Tally, on_repair: RepairSink) -> None:
    # One line for many files: a lost cache.db leaves every file an orphan at once.
    if tally.orphans_adopted:
        on_repair(
            repair(
                "downloads",
                f"{tally.orphans_adopted} downloaded files had no row in cache.db",
                "adopted them as completed downloads",
            )
        )
    if tally.moved:
        on_repair(
            repair(
                "downloads",
                f"{len(tally.moved)} media files could not be matched to a download",
                f"moved them into {LOST_AND_FOUND}/",
            )
        )


async def _requeue_broken(
    store: DownloadStore, cache_dir: Path, files: dict[str, int], on_repair: RepairSink
) -> int:
    requeued = 0
    for row in await store.with_status([DownloadStatus.COMPLETED]):
        if row.file_path is None:
            continue  # a transfer handed off to another source's copy (slskd → Jellyfin): no file
        size = files.get(row.file_path)
        if size is not None and row.file_size is not None and size == row.file_size:
            continue
        problem = "missing" if size is None else f"{size} bytes instead of {row.file_size}"
        await requeue(store, cache_dir, row, f"the file was {problem}", on_repair)
        requeued += 1
    return requeued


async def requeue(
    store: DownloadStore, cache_dir: Path, row: Download, problem: str, on_repair: RepairSink
) -> Download:
    """A completed download whose file is gone or damaged: delete what is left, fetch it again."""
    log.warning("download %s (%s): %s; queued again", row.id, row.file_path, problem)
    if row.file_path:
        (cache_dir / row.file_path).unlink(missing_ok=True)
    on_repair(repair(row.file_path or f"download {row.id}", problem, "downloading it again"))
    updated = await store.update(
        row.id,
        status=DownloadStatus.PENDING,
        progress=0.0,
        bytes_downloaded=0,
        completed_at=None,
        cleared_at=None,
    )
    return updated or row
