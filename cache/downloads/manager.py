"""The download manager: a priority queue of downloads, a few workers, and the user's commands.

Usage (the service wires it once; its supervisor runs `run()` as a critical named task):

    manager = DownloadManager(db, cache_dir, {"jellyfin": client}, session=session, on_event=sink)
    await manager.start()          # reconcile disk and database
    supervisor.spawn("downloads-scheduler", manager.run())   # run the queue until cancelled
    ...                            # commands: download_item, list, pause, ... (they raise CacheError)

Rows of every source are the same rows: a source that transfers by itself (slskd) is attached with
`attach()`, feeds its events through `feed()`, and gets the user's cancel and retry; what a row
can do comes from its source's Capabilities, never from its name.

Rows are the truth: every state change is written before its event goes out, and a restart picks up
from the rows (see reconcile.py). State changes are serialised by one lock, so a command never races
the scheduler picking the same row; network calls are made outside it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import aiohttp
import aiosqlite

from cache.catalogue import Catalogue
from cache.downloads.announce import Announcer, DownloadGate
from cache.downloads.job import JobContext, Sleep
from cache.downloads.models import (
    ACTIVE_STATES,
    Download,
    DownloadConfig,
    DownloadEvent,
    DownloadEventKind,
    DownloadList,
    DownloadSink,
    DownloadStatus,
    Origin,
)
from cache.downloads.offline import OfflineLibrary
from cache.downloads.paths import absolute, part_path
from cache.downloads.reconcile import ReconcileReport, reconcile, requeue
from cache.downloads.requests import ProfileFor, Requests
from cache.downloads.scheduler import RUNNING, Scheduler
from cache.downloads.source import FetchSource, Sources, TransferSource
from cache.downloads.store import DownloadStore
from cache.downloads.streaming import Streams
from cache.downloads.writer import WriterFactory, open_part
from cache.errors import CacheError, InvalidStateError, NotFoundError
from cache.repairs import RepairSink, ignore_repair

log = logging.getLogger(__name__)


class DownloadManager:
    """Queue, workers and commands over the downloads table. All methods run on the event loop."""

    def __init__(
        self,
        db: aiosqlite.Connection,
        cache_dir: Path,
        sources: Mapping[str, FetchSource],
        *,
        session: aiohttp.ClientSession,
        config: DownloadConfig | None = None,
        on_event: DownloadSink | None = None,
        open_writer: WriterFactory = open_part,
        sleep: Sleep = asyncio.sleep,
        on_repair: RepairSink = ignore_repair,
    ) -> None:
        """`sources` maps a source name ("jellyfin") to the source whose files the manager fetches;
        `session` is shared by every worker (the caller closes it); `sleep` is the retry timer."""
        self._store = DownloadStore(db)
        self._cache_dir = self.cache_dir = cache_dir
        self._catalogue = Catalogue(db)  # what a server last said
        self._sources = Sources(sources, self._catalogue)
        self._on_repair = on_repair
        self._config = config or DownloadConfig()
        self._out = Announcer(self._sources, on_event)
        self._sched = Scheduler(self._store, self._sources, self._out, self._config)
        self._lock = self._sched.lock
        self._requests = Requests(self._store, self._sources, self._out, self._sched)
        self._jobs = self._sched.jobs
        self.offline = OfflineLibrary(db, cache_dir)
        self.streams = Streams(self._store, self._requests, self._sched, self._out, self.evict)
        self._sched.ctx = JobContext(
            self._store, cache_dir, session, self._config, open_writer, sleep,
            self._out.announce, self._sched.disk_full,
        )  # fmt: skip

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> ReconcileReport:
        """Reconcile disk and database; `run()` then works the queue."""
        await self._store.check_schema()
        return await reconcile(
            self._store, self._cache_dir, lookup=self._catalogue.track, on_repair=self._on_repair
        )

    async def run(self) -> None:
        """The scheduler, for the life of the service: start what the gate and the slots allow."""
        await self._sched.run()

    def attach(self, source: TransferSource) -> None:
        """Add a source that transfers by itself; its events come in through `feed()`."""
        self._sources.attach(source)

    def feed(self, event: DownloadEvent) -> None:
        """A self-transferring source's change of one of its rows (it adds speed and eta)."""
        self._out.feed(event)

    @property
    def fetched_sources(self) -> tuple[str, ...]:
        """The sources whose files this manager fetches (the rest transfer by themselves)."""
        return self._sources.fetched

    def set_gate(self, gate: DownloadGate | None) -> None:
        """Install the policy that says whether downloads may run; call gate_changed() on changes."""
        self._out.gate = gate
        self._sched.wake()

    def set_transcode(self, profile_for: ProfileFor) -> None:
        """Where new rows learn which copy to make (the settings in force for each origin)."""
        self._requests.profile_for = profile_for

    async def gate_changed(self) -> None:
        """Re-read the gate: stop what it now blocks, start what it allows."""
        await self._sched.gate_changed()

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
        return await self._requests.item(item_id, priority, origin, source)

    async def download_album(
        self,
        album_id: str,
        *,
        priority: int = 0,
        origin: Origin = Origin.USER,
        source: str | None = None,
    ) -> list[Download]:
        """Queue every track of an album in disc/track order (existing downloads included)."""
        return await self._requests.album(album_id, priority, origin, source)

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
        return DownloadList(tuple(self._out.view(r) for r in rows), active, queued, total)

    async def get(self, download_id: int) -> Download:
        """One download (NotFoundError if there is no such row)."""
        return self._out.view(await self._row(download_id))

    def view(self, row: Download) -> Download:
        """A row someone else read (a source's enqueue) as the manager hands rows out."""
        return self._out.view(row)

    async def pause(self, download_id: int) -> Download:
        """Pause a queued or running download; its part file stays for resuming."""
        async with self._lock:
            row = await self._row(download_id)
            if not self._sources.capabilities(row.source).can_pause:
                raise InvalidStateError(
                    f"a {row.source} download cannot be paused or resumed; cancel it instead"
                )
            if row.status not in RUNNING:
                if row.status == DownloadStatus.PAUSED:
                    return self._out.view(row)
                raise InvalidStateError(f"a {row.status} download cannot be paused")
            return await self._pause_locked(row, None)

    async def resume(self, download_id: int) -> Download:
        """Queue a paused or failed download again (a failed one with a fresh retry budget)."""
        row = await self.get(download_id)
        if row.status in RUNNING:
            return row
        if row.status not in (DownloadStatus.PAUSED, DownloadStatus.FAILED):
            raise InvalidStateError(f"a {row.status} download cannot be resumed")
        transfer = self._sources.transfer(row.source)
        if transfer is not None:
            return await self._retry_transfer(transfer, row)
        async with self._lock:
            return await self._resume_locked(await self._row(download_id))

    async def cancel(self, download_id: int) -> Download:
        """Stop a download that is not complete and delete its partial file."""
        row = await self.get(download_id)
        if row.status == DownloadStatus.COMPLETED:
            raise InvalidStateError("a completed download is deleted, not cancelled")
        transfer = self._sources.transfer(row.source)
        if transfer is not None and row.status in RUNNING:
            await transfer.cancel_transfer(row)  # network I/O: outside the lock
            return await self.get(download_id)
        async with self._lock:
            row = await self._row(download_id)
            if row.status in (DownloadStatus.CANCELLED, DownloadStatus.COMPLETED):
                return self._out.view(row)
            await self._jobs.stop(row.id)
            self._remove_files(row)
            updated = await self._store.update(
                row.id, status=DownloadStatus.CANCELLED, wait_reason=None, bytes_downloaded=0
            )
            return self._out.announce(DownloadEventKind.CANCELLED, updated or row)

    async def delete(self, download_id: int) -> None:
        """Delete a completed download's file and row (also the row of a failed/cancelled one)."""
        async with self._lock:
            row = await self._row(download_id)
            if row.status in ACTIVE_STATES:
                raise InvalidStateError(f"a {row.status} download must be cancelled first")
            self._remove_files(row)
            await self._store.delete(row.id)
            self._out.announce(DownloadEventKind.DELETED, row)

    async def pause_all(self) -> int:
        """Pause every queued and running download whose source can pause; returns how many."""
        async with self._lock:
            rows = [r for r in await self._store.with_status(RUNNING) if self._pausable(r)]
            for row in rows:
                await self._pause_locked(row, None)
            return len(rows)

    async def resume_all(self) -> int:
        """Queue every paused and failed download again, as the page offers; returns how many."""
        async with self._lock:
            rows = await self._store.with_status([DownloadStatus.PAUSED, DownloadStatus.FAILED])
            ours = [r for r in rows if self._sources.transfer(r.source) is None]
            for row in ours:
                await self._resume_locked(row)
        count = len(ours)
        for row in rows:
            transfer = self._sources.transfer(row.source)
            if transfer is not None and row.status == DownloadStatus.FAILED:
                count += await self._retry_counted(transfer, row)
        return count

    async def clear_completed(self) -> int:
        """Remove completed downloads from the list; their files stay available offline."""
        async with self._lock:
            return await self._store.clear_completed()

    async def hold(self, download_id: int, reason: str) -> Download:
        """Pause a download the pre-cacher does not want now, saying why; its part file stays."""
        async with self._lock:
            row = await self._row(download_id)
            held = row.status in RUNNING and self._pausable(row)
            if not held or self.streams.streaming(row.id):  # what plays is not the plan's
                return self._out.view(row)
            return await self._pause_locked(row, reason)

    async def evict(self, item_id: str) -> bool:
        """Delete an automatic copy, complete or partial, with its row; a user's download is never
        evicted. Returns whether anything was deleted."""
        async with self._lock:
            row = await self._store.get_by_item(item_id)
            if row is None or row.origin != Origin.AUTO or self.streams.streaming(row.id):
                return False
            await self._jobs.stop(row.id)
            self._remove_files(row)
            await self._store.delete(row.id)
            self._out.announce(DownloadEventKind.DELETED, row)
            return True

    async def redownload(self, seen: Download, problem: str) -> None:
        """Fetch a completed download again because its file is damaged (the integrity check);
        nothing happens when the row moved on since `seen` was read."""
        async with self._lock:
            row = await self._store.get(seen.id)
            if row is None or (row.status, row.completed_at) != (seen.status, seen.completed_at):
                return
            updated = await requeue(self._store, self._cache_dir, row, problem, self._on_repair)
        self._sched.wake()
        self._out.announce(DownloadEventKind.QUEUED, updated)

    # --- command helpers ----------------------------------------------------------------------

    def _pausable(self, row: Download) -> bool:
        return self._sources.capabilities(row.source).can_pause

    async def _row(self, download_id: int) -> Download:
        row = await self._store.get(download_id)
        if row is None:
            raise NotFoundError(f"there is no download {download_id}")
        return row

    async def _pause_locked(self, row: Download, reason: str | None) -> Download:
        return await self._sched.pause_locked(row, reason)

    async def _resume_locked(self, row: Download) -> Download:
        changes: dict[str, object] = {"status": DownloadStatus.PENDING, "wait_reason": None}
        if row.status == DownloadStatus.FAILED:
            changes |= {"retry_count": 0, "error_message": None}
        updated = await self._store.update(row.id, **changes)
        self._sched.wake()
        return self._out.announce(DownloadEventKind.RESUMED, updated or row)

    async def _retry_transfer(self, transfer: TransferSource, row: Download) -> Download:
        if row.status != DownloadStatus.FAILED or not transfer.capabilities.can_retry:
            raise InvalidStateError(f"a {row.status} {row.source} download cannot be resumed")
        await transfer.retry_transfer(row)  # network I/O: outside the lock
        return await self.get(row.id)

    async def _retry_counted(self, transfer: TransferSource, row: Download) -> int:
        """resume-all's retry of one failed transfer: 1 when the source took it again."""
        try:
            await self._retry_transfer(transfer, row)
        except CacheError as err:
            log.warning("download %s was not retried: %s", row.id, err)
            return 0
        return 1

    def _remove_files(self, row: Download) -> None:
        if row.file_path:
            final = absolute(self._cache_dir, row.file_path)
            part_path(final).unlink(missing_ok=True)
            final.unlink(missing_ok=True)
