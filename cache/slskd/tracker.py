"""The background worker that follows slskd downloads: adaptive polling, one poll at a time.

A ticker wakes every 0.5 s while something is followed, every 5 s otherwise, and at once after a user
action. Each tick starts a poll as its own task unless one is still running (then the tick is skipped),
so a slow slskd never piles polls up and never holds up the event loop or the API. `run()` is the
ticker, for the service's supervisor to run; polls are children of its task group.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from cache.contain import one_round
from cache.downloads.models import (
    Download,
    DownloadEvent,
    DownloadEventKind,
    DownloadId,
    DownloadStatus,
    Origin,
)
from cache.slskd.client import SlskdClient
from cache.slskd.errors import SlskdError, SlskdRequestError
from cache.slskd.events import (
    Clock,
    OnAwaitingLibrary,
    OnEvent,
    OnLanded,
    SystemClock,
    TrackerConfig,
)
from cache.slskd.mapping import Wanted, match_transfers
from cache.slskd.reconcile import Reconciler
from cache.slskd.store import FOLLOWED, Change, NewTransfer, SlskdDownloadStore, transfer_of
from cache.slskd.wire import FileRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EnqueueOutcome:
    """The rows recorded for an enqueue, and the files slskd refused."""

    downloads: tuple[Download, ...]
    failed: tuple[str, ...]


class Tracker:
    """Follows every slskd download in the store until it is completed, failed or cancelled."""

    def __init__(
        self,
        client: SlskdClient,
        store: SlskdDownloadStore,
        config: TrackerConfig = TrackerConfig(),
        *,
        clock: Clock | None = None,
        on_event: OnEvent | None = None,
        on_awaiting_library: OnAwaitingLibrary | None = None,
        on_landed: OnLanded | None = None,
    ) -> None:
        self._client = client
        self._store = store
        self._config = config
        self._clock = clock or SystemClock()
        self._on_event = on_event
        self._reconciler = Reconciler(
            client, store, config, self._clock, on_event, on_awaiting_library, on_landed
        )
        self._wake = asyncio.Event()
        self._poke_pending = False
        self._polls: asyncio.TaskGroup | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self.active = False  # something was followed at the last poll: poll fast
        self.healthy = True  # the last poll reached slskd
        self.polls_started = 0
        self.ticks_skipped = 0

    # -- the loop ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Tick for the life of the service; cancelling this also stops the poll in flight."""
        async with asyncio.TaskGroup() as polls:
            self._polls = polls
            try:
                poked = False
                while True:
                    self.tick(poked=poked)
                    poked = await self._wait(self.interval)
            finally:
                self._polls = None

    def poke(self) -> None:
        """Poll now (after a user action), or right after the poll in flight."""
        self._wake.set()

    @property
    def interval(self) -> float:
        """The delay before the next tick."""
        fast = self.active and self.healthy
        return self._config.active_interval if fast else self._config.idle_interval

    def tick(self, *, poked: bool = False) -> None:
        """Start a poll unless one is still running (then skip this tick, keeping a poke for later)."""
        if self._poll_task is not None and not self._poll_task.done():
            self.ticks_skipped += 1
            self._poke_pending = self._poke_pending or poked
            return
        if self._polls is None:
            raise RuntimeError("the tracker polls only inside Tracker.run()")
        self.polls_started += 1
        self._poll_task = self._polls.create_task(self._guarded_poll(), name="slskd-poll")

    async def _wait(self, delay: float) -> bool:
        """Sleep `delay` or until poked; True when poked."""
        if self._wake.is_set():
            self._wake.clear()
            return True
        sleeper = asyncio.ensure_future(self._clock.sleep(delay))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)
        poked = self._wake.is_set()
        self._wake.clear()
        return poked

    async def _guarded_poll(self) -> None:
        try:
            if await one_round(self._poll_reachable(), "slskd poll", log) is not None:
                self.healthy = False
        finally:
            if self._poke_pending:
                self._poke_pending = False
                self._wake.set()

    async def _poll_reachable(self) -> None:
        """One poll; slskd being unreachable or refusing is expected and only marks it unhealthy."""
        try:
            await self.poll_once()
            self.healthy = True
        except SlskdError as err:
            # Not "missing": a failed poll tells nothing about the transfers, so counts stay put.
            if self.healthy:
                log.warning("slskd poll failed; retrying every %ss: %s", self.interval, err)
            self.healthy = False

    async def poll_once(self) -> None:
        """One poll: reconcile every followed row with slskd's listing (raises SlskdError)."""
        rows = await self._store.followed()
        self.active = bool(rows)
        if rows or self._reconciler.retired:
            await self._reconciler.poll(rows)

    # -- user actions ------------------------------------------------------------------------

    async def enqueue(
        self, username: str, files: Sequence[FileRequest], *, origin: Origin = Origin.USER
    ) -> EnqueueOutcome:
        """Enqueue files of one peer at slskd and record them (raises SlskdError)."""
        result = await self._client.enqueue(username, files)
        by_name = {t.filename: t for t in result.enqueued}
        refused = set(result.failed)
        rows: list[Download] = []
        failed: list[str] = []
        for f in files:
            known = f.filename in by_name
            if f.filename in refused or (result.confirmed and not known and result.failed):
                failed.append(f.filename)
                continue
            tid = by_name[f.filename].id if known else None
            row = await self._store.add(NewTransfer(username, f.filename, f.size, tid, origin))
            rows.append(row)
            self._emit(DownloadEventKind.QUEUED, row)
        self.active = self.active or bool(rows)
        self.poke()
        return EnqueueOutcome(tuple(rows), tuple(failed))

    async def cancel(self, download_id: DownloadId) -> Download | None:
        """Cancel at slskd, then record it; the row as it ends up (None if unknown)."""
        row = await self._store.get(download_id)
        if row is None or row.status not in FOLLOWED:
            return row
        tid = transfer_of(row)
        if not tid:
            transfers = await self._client.list_downloads()
            wanted = [Wanted(row.id, row.remote_user, row.remote_filename, None)]
            match = match_transfers(wanted, transfers).get(row.id)
            tid = match.transfer.id if match else None
        if tid:
            await self._client.cancel(row.remote_user, tid, remove=False)
            self._reconciler.retired.add(tid)
        updated = await self._store.update(
            row.id, row.status, Change(status=DownloadStatus.CANCELLED)
        )
        if updated is not None:
            self._emit(DownloadEventKind.CANCELLED, updated)
        self.poke()
        return updated or await self._store.get(download_id)

    async def retry(self, row: Download) -> None:
        """Enqueue a failed download's file at slskd again; the row starts over (raises SlskdError,
        SlskdRequestError when slskd does not take it)."""
        request = FileRequest(row.remote_filename, row.file_size or 0)
        outcome = await self.enqueue(row.remote_user, [request], origin=row.origin)
        if not outcome.downloads:
            raise SlskdRequestError(f"slskd did not enqueue {row.remote_filename} again")

    def _emit(self, kind: DownloadEventKind, row: Download) -> None:
        if self._on_event is not None:
            self._on_event(DownloadEvent(kind, row, speed=0.0))
