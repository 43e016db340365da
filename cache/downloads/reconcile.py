"""Making disk and database agree after a crash, a power cut or a full disk.

Rules (run once at start, before any download runs):
- rows left `downloading` go back to `pending`; they resume from their `.part` file;
- a `.part` file is kept only for a row that will still run (pending, paused, failed);
- a final file is kept only for a completed row; a non-completed row whose final file is already
  there with the right size (crash between rename and database update) is marked completed;
- a completed row whose file is missing or has the wrong size is queued again.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cache.downloads.models import Download, DownloadStatus
from cache.downloads.paths import MEDIA_DIR, PART_SUFFIX, absolute, part_path
from cache.downloads.store import DownloadStore, now_iso

log = logging.getLogger(__name__)

_RESUMABLE = (DownloadStatus.PENDING, DownloadStatus.PAUSED, DownloadStatus.FAILED)


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    reset: int  # downloading -> pending
    requeued: int  # completed rows whose file was missing or wrong
    adopted: int  # finished files whose row had not been marked yet
    removed: tuple[str, ...]  # relative paths of files deleted


def _scan(cache_dir: Path) -> dict[str, int]:
    """Every file under media/, relative path -> size (blocking; run in a thread)."""
    root = cache_dir / MEDIA_DIR
    found: dict[str, int] = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            found[path.relative_to(cache_dir).as_posix()] = path.stat().st_size
    return found


async def reconcile(store: DownloadStore, cache_dir: Path) -> ReconcileReport:
    """Apply the rules above; returns what changed (also logged)."""
    running = await store.with_status([DownloadStatus.DOWNLOADING])
    for stale in running:
        await store.update(stale.id, status=DownloadStatus.PENDING, wait_reason=None)
    rows = {
        path: row
        for path, row in (await store.file_paths()).items()
        if row.status != DownloadStatus.CANCELLED
    }
    files = await asyncio.to_thread(_scan, cache_dir)
    removed: list[str] = []
    adopted = 0
    for rel, size in sorted(files.items()):
        keep = await _keep(store, cache_dir, rows, rel, size)
        if keep is None:
            removed.append(rel)
        adopted += keep == "adopted"
    for rel in removed:
        (cache_dir / rel).unlink(missing_ok=True)
    requeued = await _requeue_broken(store, cache_dir, files)
    report = ReconcileReport(len(running), requeued, adopted, tuple(removed))
    log.info("reconciled downloads: %s", report)
    return report


async def _keep(
    store: DownloadStore, cache_dir: Path, rows: dict[str, Download], rel: str, size: int
) -> str | None:
    """Why the file at `rel` stays ("part", "final", "adopted"), or None to delete it."""
    if rel.endswith(PART_SUFFIX):
        owner = rows.get(rel[: -len(PART_SUFFIX)])
        if owner is None or owner.status not in _RESUMABLE:
            return None
        await store.update(owner.id, bytes_downloaded=size)
        return "part"
    row = rows.get(rel)
    if row is None:
        return None
    if row.status == DownloadStatus.COMPLETED:
        return "final"  # its size is checked by _requeue_broken
    if row.file_size and size == row.file_size:
        await _adopt(store, row, size, cache_dir)
        return "adopted"
    return None


async def _adopt(store: DownloadStore, row: Download, size: int, cache_dir: Path) -> None:
    if row.file_path:
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


async def _requeue_broken(store: DownloadStore, cache_dir: Path, files: dict[str, int]) -> int:
    requeued = 0
    for row in await store.with_status([DownloadStatus.COMPLETED]):
        if row.file_path is None:
            continue  # a transfer handed off to another source's copy (slskd → Jellyfin): no file
        size = files.get(row.file_path)
        if size is not None and row.file_size is not None and size == row.file_size:
            continue
        log.warning(
            "download %s: file %s missing or wrong size; queued again", row.id, row.file_path
        )
        if row.file_path:
            (cache_dir / row.file_path).unlink(missing_ok=True)
        await store.update(
            row.id,
            status=DownloadStatus.PENDING,
            progress=0.0,
            bytes_downloaded=0,
            completed_at=None,
            cleared_at=None,
        )
        requeued += 1
    return requeued
