"""The download scheduler: starts what the gate and the free slots allow, one job per row.

State changes of the manager's commands and of the scheduler are serialised by one lock, so a
command never races the scheduler picking the same row; network calls are made outside it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable

from cache.contain import one_round
from cache.downloads.announce import Announcer
from cache.downloads.job import DownloadJob, JobContext
from cache.downloads.models import (
    Download,
    DownloadConfig,
    DownloadEventKind,
    DownloadId,
    DownloadStatus,
    Origin,
    WaitReason,
)
from cache.downloads.source import Sources
from cache.downloads.store import DownloadStore, now_iso
from cache.downloads.workers import Workers

log = logging.getLogger(__name__)
RUNNING = (DownloadStatus.DOWNLOADING, DownloadStatus.PENDING)


class Scheduler:
    """The queue's runner; `run()` is the manager's long-running task."""

    def __init__(
        self, store: DownloadStore, sources: Sources, out: Announcer, config: DownloadConfig
    ) -> None:
        self._store = store
        self._sources = sources
        self._out = out
        self._config = config
        self.lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._disk_full = False  # a job hit ENOSPC: pause the rest at the next turn
        self.jobs = Workers(self._run_job, self._wake.set)
        self.ctx: JobContext | None = None  # set by the manager, which builds the jobs' context
        # Rows fetched for playback right now (stream-through): they start at once beside the
        # queue's slots, only the stream gate holds them, and the executor's holds and the gate's
        # network and storage rules leave them alone (cache/downloads/streaming.py).
        self.streaming: set[DownloadId] = set()
        self.stream_gate: Callable[[], str | None] = lambda: None

    def wake(self) -> None:
        """Look at the queue again soon (a row was queued, a slot or the gate opened)."""
        self._wake.set()

    def disk_full(self) -> None:
        """A job hit ENOSPC (it is still running): pause the other downloads."""
        self._disk_full = True
        self._wake.set()

    async def run(self) -> None:
        """Every download runs in this task group, so cancelling this stops them all; rows that
        were running stay `downloading`, and the next start's reconcile resumes them."""
        async with asyncio.TaskGroup() as group:
            self.jobs.attach(group)
            try:
                self._wake.set()
                while True:
                    await self._wake.wait()
                    self._wake.clear()
                    async with self.lock:
                        await self._after_disk_full()
                        await self._fill_slots()
            finally:
                self.jobs.attach(None)

    async def gate_changed(self) -> None:
        """Put running downloads the gate now blocks back in the queue (their part files stay for a
        Range resume), and start whatever it allows."""
        async with self.lock:
            for download_id, origin in self.jobs.origins():
                if download_id in self.streaming or self._out.gate_reason(origin) is None:
                    continue
                await self._requeue(download_id)
        self._wake.set()

    async def pause_locked(self, row: Download, reason: str | None) -> Download:
        """Stop the row's job and mark it paused (the caller holds the lock)."""
        await self.jobs.stop(row.id)
        updated = await self._store.update(row.id, status=DownloadStatus.PAUSED, wait_reason=reason)
        return self._out.announce(DownloadEventKind.PAUSED, updated or row)

    async def _fill_slots(self) -> None:
        """The gate's turn: put back the automatic copies a person's download needs the room
        of, then start what it admits."""
        await self._start_streams()
        started = [i for i in self.jobs if i not in self.streaming]  # in the order they started
        queued = await self._store.pending({*started, *self.streaming}, self._sources.fetched)
        slots_full = len(started) >= self._config.concurrency
        if not queued or (slots_full and all(r.origin is Origin.AUTO for r in queued)):
            return  # nothing could start, and no person's download waits (the gate measures)
        rows = {r.id: r for r in await self._store.with_status([DownloadStatus.DOWNLOADING])}
        running = [rows[i] for i in started if i in rows]
        turn = self._out.turn(queued, running, self._config.concurrency)
        for row in turn.stop:
            await self._requeue(row.id)
        for row in turn.start:
            await self._start(row)

    async def _requeue(self, download_id: DownloadId) -> None:
        """Stop a running download and put it back in the queue (its part file stays for a
        Range resume)."""
        await self.jobs.stop(download_id)
        row = await self._store.update(download_id, status=DownloadStatus.PENDING)
        if row is not None:
            self._out.announce(DownloadEventKind.PROGRESS, row)

    async def _start_streams(self) -> None:
        """Start the streamed rows that wait, when the stream gate allows (a stream is what
        plays now: it takes no queue slot and waits for no Wi-Fi)."""
        waiting = [i for i in self.streaming if i not in set(self.jobs)]
        if not waiting or self.stream_gate() is not None:
            return
        for download_id in waiting:
            row = await self._store.get(download_id)
            if row is not None and row.status == DownloadStatus.PENDING:
                await self._start(row)

    async def _start(self, row: Download) -> None:
        started = await self._store.update(
            row.id, status=DownloadStatus.DOWNLOADING, started_at=row.started_at or now_iso(),
            wait_reason=None,
        )  # fmt: skip
        if started is not None:
            self.jobs.start(started)
            self._out.announce(DownloadEventKind.STARTED, started)

    async def _run_job(self, row: Download) -> None:
        assert self.ctx is not None, "the manager sets the jobs' context"
        job = DownloadJob(self.ctx, row, self._sources.get(row.source))
        err = await one_round(job.run(), f"download {row.id}", log)
        if err is not None:
            # A bug must not take the queue down with it; the row says what happened.
            try:
                failed = await self._store.update(
                    row.id, status=DownloadStatus.FAILED, error_message=f"internal error: {err!r}"
                )
            except sqlite3.Error as db_err:
                # cache.db cannot take the write either (a full card): the row stays as it was,
                # and the next start's reconcile puts it back in the queue.
                log.error("download %s: cannot record the failure (%s)", row.id, db_err)
                return
            self._out.announce(DownloadEventKind.FAILED, failed or row)

    async def _after_disk_full(self) -> None:
        if not self._disk_full:
            return
        self._disk_full = False
        for row in await self._store.with_status(RUNNING):
            if self._sources.capabilities(row.source).can_pause:
                await self.pause_locked(row, WaitReason.DISK_FULL.value)
