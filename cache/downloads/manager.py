"""The download manager: a priority queue of downloads, a few workers, and the user's commands.

Usage (the service wires it once, in a cleanup context):

    manager = DownloadManager(db, cache_dir, {"jellyfin": client}, session=session, on_event=bus.publish)
    await manager.start()          # reconcile disk and database, then run the queue
    ...                            # commands: download_item, list, pause, ... (they raise CacheError)
    await manager.stop()

Rows are the truth: every state change is written before its event goes out, and a restart picks up
from the rows (see reconcile.py). State changes are serialised by one lock, so a command never races
the scheduler picking the same row; network calls are made outside it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import aiohttp
import aiosqlite

from cache.catalogue import Catalogue
from cache.downloads.job import DownloadJob, JobContext, Sleep
from cache.downloads.models import (
    Download,
    DownloadConfig,
    DownloadEvent,
    DownloadEventKind,
    DownloadList,
    DownloadStatus,
    Origin,
    WaitReason,
)
from cache.downloads.offline import OfflineLibrary
from cache.downloads.paths import absolute, part_path, relative_media_path
from cache.downloads.reconcile import ReconcileReport, reconcile
from cache.downloads.source import MediaSource, Sources
from cache.downloads.store import DownloadStore, NewDownload, now_iso
from cache.downloads.workers import Workers
from cache.downloads.writer import WriterFactory, open_part
from cache.errors import (
    InvalidStateError,
    NotFoundError,
)
from cache.models import AlbumId, ItemId, Track

log = logging.getLogger(__name__)

EventSink = Callable[[DownloadEvent], None]


class DownloadGate(Protocol):
    """Says whether downloads of one origin may run now (the pre-cacher's network and disk policy).

    Per origin, because the limits differ: a user's explicit download may fill the cache past the
    automatic storage limit, and may use a metered network when the config allows it.
    """

    def wait_reason(self, origin: Origin) -> str | None:
        """None when downloads of `origin` may run, else a short sentence ("waiting for Wi-Fi")."""
        ...


class DownloadManager:
    """Queue, workers and commands over the downloads table. All methods run on the event loop."""

    def __init__(
        self,
        db: aiosqlite.Connection,
        cache_dir: Path,
        sources: Mapping[str, MediaSource],
        *,
        session: aiohttp.ClientSession,
        config: DownloadConfig | None = None,
        on_event: EventSink | None = None,
        open_writer: WriterFactory = open_part,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """`sources` maps a source name ("jellyfin") to the source its rows download from;
        `session` is shared by every worker (the caller closes it); `sleep` is the retry timer."""
        self._db = db
        self._store = DownloadStore(db)
        self._cache_dir = cache_dir
        self._sources = Sources(sources, Catalogue(db))  # the catalogue: what a server last said
        self._config = config or DownloadConfig()
        self._on_event = on_event
        self._gate: DownloadGate | None = None
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._jobs = Workers(self._run_job, self._wake.set)
        self._background: set[asyncio.Task[None]] = set()
        self._scheduler: asyncio.Task[None] | None = None
        self.offline = OfflineLibrary(db, cache_dir)
        self._ctx = JobContext(
            self._store,
            cache_dir,
            session,
            self._config,
            open_writer,
            sleep,
            self._emit,
            self._on_disk_full,
        )

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> ReconcileReport:
        """Reconcile disk and database, then start running the queue."""
        await self._store.check_schema()
        report = await reconcile(self._store, self._cache_dir)
        self._scheduler = asyncio.create_task(self._run_scheduler(), name="downloads-scheduler")
        self._wake.set()
        return report

    async def stop(self) -> None:
        """Stop the scheduler and every worker. Rows that were running stay `downloading`;
        the next start's reconcile puts them back in the queue to resume from their part files."""
        tasks = [*self._jobs.cancel_all(), *self._background]
        if self._scheduler is not None:
            tasks.append(self._scheduler)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._scheduler = None

    def set_gate(self, gate: DownloadGate | None) -> None:
        """Install the policy that says whether downloads may run; call gate_changed() on changes."""
        self._gate = gate
        self._wake.set()

    async def gate_changed(self) -> None:
        """Re-read the gate: put running downloads it now blocks back in the queue (their part
        files stay for a Range resume), and start whatever it allows."""
        async with self._lock:
            for download_id, origin in self._jobs.origins():
                if self._gate_reason(origin) is None:
                    continue
                await self._jobs.stop(download_id)
                row = await self._store.update(download_id, status=DownloadStatus.PENDING)
                if row is not None:
                    self._announce(DownloadEventKind.PROGRESS, row)
        self._wake.set()

    # --- commands -----------------------------------------------------------------------------

    async def download_item(
        self,
        item_id: str,
        *,
        priority: int = 0,
        origin: Origin = Origin.USER,
        source: str | None = None,
    ) -> tuple[Download, bool]:
        """Queue one item; returns (download, created). An item that already has a download
        returns that one (a user request pins an automatic copy and raises its priority)."""
        existing = await self._store.get_by_item(item_id)
        if existing is None:
            track = await self._sources.track(ItemId(item_id), source)
            return await self._queue(track, priority, origin)
        return await self._adopt_request(existing, priority, origin), False

    async def download_album(
        self,
        album_id: str,
        *,
        priority: int = 0,
        origin: Origin = Origin.USER,
        source: str | None = None,
    ) -> list[Download]:
        """Queue every track of an album in disc/track order (existing downloads included)."""
        tracks = await self._sources.album_tracks(AlbumId(album_id), source)
        if not tracks:
            raise NotFoundError(f"album {album_id} has no tracks")
        result = []
        for track in tracks:
            existing = await self._store.get_by_item(track.id)
            if existing is None:
                result.append((await self._queue(track, priority, origin))[0])
            else:
                result.append(await self._adopt_request(existing, priority, origin))
        return result

    async def list_downloads(
        self,
        statuses: Sequence[DownloadStatus] = (),
        origin: Origin | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> DownloadList:
        """A page of the list (cleared rows excluded) with active/queued counts and the total."""
        rows, total = await self._store.page(statuses, origin, limit, offset)
        active, queued = await self._store.counts()
        return DownloadList(tuple(self._view(r) for r in rows), active, queued, total)

    async def get(self, download_id: int) -> Download:
        """One download (NotFoundError if there is no such row)."""
        return self._view(await self._row(download_id))

    async def pause(self, download_id: int) -> Download:
        """Pause a queued or running download; its part file stays for resuming."""
        async with self._lock:
            row = await self._row(download_id)
            if row.status not in (DownloadStatus.PENDING, DownloadStatus.DOWNLOADING):
                if row.status == DownloadStatus.PAUSED:
                    return self._view(row)
                raise InvalidStateError(f"a {row.status} download cannot be paused")
            return await self._pause_locked(row, None)

    async def resume(self, download_id: int) -> Download:
        """Queue a paused or failed download again (a failed one with a fresh retry budget)."""
        async with self._lock:
            row = await self._row(download_id)
            if row.status in (DownloadStatus.PENDING, DownloadStatus.DOWNLOADING):
                return self._view(row)
            if row.status not in (DownloadStatus.PAUSED, DownloadStatus.FAILED):
                raise InvalidStateError(f"a {row.status} download cannot be resumed")
            return await self._resume_locked(row)

    async def cancel(self, download_id: int) -> Download:
        """Stop a download that is not complete and delete its partial file."""
        async with self._lock:
            row = await self._row(download_id)
            if row.status == DownloadStatus.CANCELLED:
                return self._view(row)
            if row.status == DownloadStatus.COMPLETED:
                raise InvalidStateError("a completed download is deleted, not cancelled")
            await self._jobs.stop(row.id)
            self._remove_files(row)
            updated = await self._store.update(
                row.id, status=DownloadStatus.CANCELLED, wait_reason=None, bytes_downloaded=0
            )
            return self._announce(DownloadEventKind.CANCELLED, updated or row)

    async def delete(self, download_id: int) -> None:
        """Delete a completed download's file and row (also the row of a failed/cancelled one)."""
        async with self._lock:
            row = await self._row(download_id)
            if row.status not in (
                DownloadStatus.COMPLETED,
                DownloadStatus.FAILED,
                DownloadStatus.CANCELLED,
            ):
                raise InvalidStateError(f"a {row.status} download must be cancelled first")
            self._remove_files(row)
            await self._store.delete(row.id)
            self._announce(DownloadEventKind.DELETED, row)

    async def pause_all(self) -> int:
        """Pause every queued and running download; returns how many."""
        async with self._lock:
            rows = await self._store.with_status(
                [DownloadStatus.DOWNLOADING, DownloadStatus.PENDING]
            )
            for row in rows:
                await self._pause_locked(row, None)
            return len(rows)

    async def resume_all(self) -> int:
        """Queue every paused download again; returns how many."""
        async with self._lock:
            rows = await self._store.with_status([DownloadStatus.PAUSED])
            for row in rows:
                await self._resume_locked(row)
            return len(rows)

    async def clear_completed(self) -> int:
        """Remove completed downloads from the list; their files stay available offline."""
        async with self._lock:
            return await self._store.clear_completed()

    async def hold(self, download_id: int, reason: str) -> Download:
        """Pause a download the pre-cacher does not want now, saying why; its part file stays."""
        async with self._lock:
            row = await self._row(download_id)
            if row.status not in (DownloadStatus.PENDING, DownloadStatus.DOWNLOADING):
                return self._view(row)
            return await self._pause_locked(row, reason)

    async def evict(self, item_id: str) -> bool:
        """Delete an automatic copy, complete or partial, with its row; a user's download is never
        evicted. Returns whether anything was deleted."""
        async with self._lock:
            row = await self._store.get_by_item(item_id)
            if row is None or row.origin != Origin.AUTO:
                return False
            await self._jobs.stop(row.id)
            self._remove_files(row)
            await self._store.delete(row.id)
            self._announce(DownloadEventKind.DELETED, row)
            return True

    async def resolve(self, item_id: str) -> Path | None:
        """The local file for `item_id` when it is complete on disk, else None (stream it)."""
        return await self.offline.resolve(item_id)

    # --- command helpers ----------------------------------------------------------------------

    async def _row(self, download_id: int) -> Download:
        row = await self._store.get(download_id)
        if row is None:
            raise NotFoundError(f"there is no download {download_id}")
        return row

    async def _queue(self, track: Track, priority: int, origin: Origin) -> tuple[Download, bool]:
        source = self._sources.get(track.source.value)
        new = NewDownload(
            item_id=track.id,
            user_id=source.user_id,
            source=track.source.value,
            origin=origin,
            title=track.title,
            album=track.album,
            album_id=track.album_id,
            file_size=track.size or None,
            file_path=relative_media_path(track.source.value, track.id, track.container),
            priority=priority,
        )
        async with self._lock:
            try:
                row = await self._store.insert(new)
            except sqlite3.IntegrityError:
                # Someone queued the same item while we looked its metadata up.
                existing = await self._store.get_by_item(track.id)
                if existing is None:
                    raise
                return self._view(existing), False
        self._wake.set()
        return self._announce(DownloadEventKind.QUEUED, row), True

    async def _adopt_request(self, row: Download, priority: int, origin: Origin) -> Download:
        changes: dict[str, object] = {"cleared_at": None}
        if origin == Origin.USER and row.origin == Origin.AUTO:
            changes["origin"] = Origin.USER
        if priority > row.priority:
            changes["priority"] = priority
        return self._view(await self._store.update(row.id, **changes) or row)

    async def _pause_locked(self, row: Download, reason: str | None) -> Download:
        await self._jobs.stop(row.id)
        updated = await self._store.update(row.id, status=DownloadStatus.PAUSED, wait_reason=reason)
        return self._announce(DownloadEventKind.PAUSED, updated or row)

    async def _resume_locked(self, row: Download) -> Download:
        changes: dict[str, object] = {"status": DownloadStatus.PENDING, "wait_reason": None}
        if row.status == DownloadStatus.FAILED:
            changes |= {"retry_count": 0, "error_message": None}
        updated = await self._store.update(row.id, **changes)
        self._wake.set()
        return self._announce(DownloadEventKind.RESUMED, updated or row)

    def _remove_files(self, row: Download) -> None:
        if row.file_path:
            final = absolute(self._cache_dir, row.file_path)
            part_path(final).unlink(missing_ok=True)
            final.unlink(missing_ok=True)

    # --- scheduling ---------------------------------------------------------------------------

    def _gate_reason(self, origin: Origin) -> str | None:
        return self._gate.wait_reason(origin) if self._gate is not None else None

    def _open_origins(self) -> list[Origin]:
        return [origin for origin in Origin if self._gate_reason(origin) is None]

    async def _run_scheduler(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            async with self._lock:
                await self._fill_slots()

    async def _fill_slots(self) -> None:
        origins = self._open_origins()
        while origins and len(self._jobs) < self._config.concurrency:
            row = await self._store.next_pending(self._jobs, origins)
            if row is None:
                return
            started = await self._store.update(
                row.id,
                status=DownloadStatus.DOWNLOADING,
                started_at=row.started_at or now_iso(),
                wait_reason=None,
            )
            if started is None:
                continue
            self._jobs.start(started)
            self._announce(DownloadEventKind.STARTED, started)

    async def _run_job(self, row: Download) -> None:
        try:
            await DownloadJob(self._ctx, row, self._sources.get(row.source)).run()
        except asyncio.CancelledError:
            raise
        except Exception as err:
            # A bug must not take the queue down with it; the row says what happened.
            log.exception("download %s crashed", row.id)
            failed = await self._store.update(
                row.id, status=DownloadStatus.FAILED, error_message=f"internal error: {err!r}"
            )
            self._announce(DownloadEventKind.FAILED, failed or row)

    def _on_disk_full(self) -> None:
        """A job hit ENOSPC: pause the rest too, from a task of its own (the job is still running)."""
        task = asyncio.create_task(self._pause_for_disk_full(), name="downloads-disk-full")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _pause_for_disk_full(self) -> None:
        async with self._lock:
            rows = await self._store.with_status(
                [DownloadStatus.DOWNLOADING, DownloadStatus.PENDING]
            )
            for row in rows:
                await self._pause_locked(row, WaitReason.DISK_FULL.value)

    # --- events -------------------------------------------------------------------------------

    def _view(self, row: Download) -> Download:
        """The row as clients see it: a queued row shows the gate's reason for waiting."""
        if row.status == DownloadStatus.PENDING and row.wait_reason is None:
            reason = self._gate_reason(row.origin)
            if reason is not None:
                return dataclasses.replace(row, wait_reason=reason)
        return row

    def _announce(self, kind: DownloadEventKind, row: Download) -> Download:
        view = self._view(row)
        self._emit(kind, view)
        return view

    def _emit(self, kind: DownloadEventKind, row: Download) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(DownloadEvent(kind, self._view(row).to_json()))
        except Exception:
            log.exception("download event handler failed")
