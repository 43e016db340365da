"""One poll's work: match slskd's transfers to our rows and move each row along, atomically.

Fixes over the design: a failed poll never counts as "missing" (errors are not swallowed into `[]`),
a retried file never re-matches its own dead transfer, and the bulk clear never runs while a completed
file still waits to be landed (it would vanish from the listing and look lost).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence

from cache.contain import one_round
from cache.downloads.models import (
    Download,
    DownloadEvent,
    DownloadEventKind,
    DownloadId,
    DownloadStatus,
)
from cache.slskd.client import SlskdClient
from cache.slskd.errors import SlskdError
from cache.slskd.events import (
    Clock,
    OnAwaitingLibrary,
    OnEvent,
    OnLanded,
    TrackerConfig,
)
from cache.slskd.landing import LandingOutcome, land
from cache.slskd.mapping import (
    Match,
    TransferCategory,
    Wanted,
    is_bulk_clearable,
    map_state,
    match_transfers,
    missing_after_poll,
)
from cache.slskd.store import Change, SlskdDownloadStore, transfer_of
from cache.slskd.wire import FileRequest, Transfer, TransferId

log = logging.getLogger(__name__)
_Kind = DownloadEventKind


class Reconciler:
    """Applies slskd's view to the store; remembers what it recorded so cleanup is safe."""

    def __init__(
        self,
        client: SlskdClient,
        store: SlskdDownloadStore,
        config: TrackerConfig,
        clock: Clock,
        on_event: OnEvent | None = None,
        on_awaiting_library: OnAwaitingLibrary | None = None,
        on_landed: OnLanded | None = None,
    ) -> None:
        self._client = client
        self._store = store
        self._config = config
        self._clock = clock
        self._on_event = on_event
        self._on_awaiting = on_awaiting_library
        self._on_landed = on_landed
        self.retired: set[TransferId] = set()  # terminal transfers we recorded: safe to clear
        self._errored: dict[TransferId, Transfer] = {}  # failed ones: removed one by one
        self._landing: dict[DownloadId, int] = {}  # completed, file not found yet: attempts
        self._last_progress: dict[DownloadId, tuple[float, int]] = {}
        self._last_cleanup = clock.monotonic()

    async def poll(self, rows: Sequence[Download]) -> None:
        """Fetch the listing (raising SlskdError when slskd fails) and reconcile every row."""
        transfers = await self._client.list_downloads()
        live = [t for t in transfers if t.id not in self.retired]
        wanted = [Wanted(r.id, r.remote_user, r.remote_filename, transfer_of(r)) for r in rows]
        matches = match_transfers(wanted, live)
        for row in rows:
            await self._reconcile(row, matches.get(row.id))
        if self._clock.monotonic() - self._last_cleanup >= self._config.cleanup_interval:
            try:
                await self.cleanup(transfers)
            except SlskdError as err:
                log.warning("slskd cleanup failed, trying again later: %s", err)

    async def _reconcile(self, row: Download, match: Match | None) -> None:
        if match is None:
            await self._missing(row)
            return
        t = match.transfer
        base = Change(
            missing_polls=0, remote_transfer=t.id if t.id != row.remote_transfer else None
        )
        category = map_state(t.state)
        if category is TransferCategory.COMPLETED:
            await self._complete(row, t, base)
        elif category is TransferCategory.FAILED:
            await self._fail(row, t.exception or f"slskd: {t.state}", t, base)
        elif category is TransferCategory.CANCELLED:
            self.retired.add(t.id)
            await self._set(row, _Kind.CANCELLED, _with(base, status=DownloadStatus.CANCELLED), t)
        else:
            await self._progress(row, t, base, category)

    async def _missing(self, row: Download) -> None:
        limit = self._config.missing_polls_limit
        verdict = missing_after_poll(False, row.missing_polls, limit)
        if verdict.gone:
            reason = f"missing from slskd for {verdict.missing_polls} polls"
            await self._fail(row, reason, None, Change(missing_polls=0))
        else:
            await self._store.update(
                row.id, row.status, Change(missing_polls=verdict.missing_polls)
            )

    async def _progress(
        self, row: Download, t: Transfer, base: Change, category: TransferCategory
    ) -> None:
        active = category is TransferCategory.DOWNLOADING
        status = DownloadStatus.DOWNLOADING if active else DownloadStatus.PENDING
        change = _with(
            base, status=status, progress=t.progress, bytes_downloaded=t.bytes_transferred
        )
        updated = await self._store.update(row.id, row.status, change)
        if updated is None:
            return  # the row moved on (a user cancelled it) while we polled
        if active and row.status is DownloadStatus.PENDING:
            self._last_progress[row.id] = (self._clock.monotonic(), t.bytes_transferred)
            self._emit(_Kind.STARTED, updated, t)
        elif active and self._progress_due(row.id, t.bytes_transferred):
            self._emit(_Kind.PROGRESS, updated, t)

    def _progress_due(self, download_id: DownloadId, done: int) -> bool:
        now = self._clock.monotonic()
        last_at, last_bytes = self._last_progress.get(download_id, (float("-inf"), 0))
        if done - last_bytes < self._config.progress_bytes:
            return False
        if now - last_at < self._config.progress_interval:
            return False
        self._last_progress[download_id] = (now, done)
        return True

    async def _complete(self, row: Download, t: Transfer, base: Change) -> None:
        cfg = self._config
        if cfg.downloads_dir is None or cfg.cache_dir is None:
            await self._await_library(row, t, base)
            return
        event_local = await self._event_local(t)
        size = row.file_size or t.size
        result = await asyncio.to_thread(
            land, cfg.downloads_dir, cfg.cache_dir, item_id=row.item_id,
            remote_filename=row.remote_filename, size=size, event_local=event_local,
            move=cfg.move_files,
        )  # fmt: skip
        if result.outcome is LandingOutcome.LANDED:
            self._landing.pop(row.id, None)
            self.retired.add(t.id)
            await self._landed(row, result.relpath or "")
            change = _with(
                base, status=DownloadStatus.COMPLETED, file_path=result.relpath, progress=1.0,
                bytes_downloaded=size, file_size=size,
            )  # fmt: skip
            await self._set(row, _Kind.COMPLETED, change, t)
        elif result.outcome is LandingOutcome.WRONG_SIZE:
            self._landing.pop(row.id, None)
            await self._fail(row, f"size check failed: {result.detail}", t, base)
        else:
            await self._not_found(row, t, base)

    async def _landed(self, row: Download, relpath: str) -> None:
        # The file is in place whatever happens here: a failed import must not fail the download.
        if self._on_landed is not None:
            what = f"importing the landed file of download {row.id}"
            await one_round(self._on_landed(row, relpath), what, log)

    async def _not_found(self, row: Download, t: Transfer, base: Change) -> None:
        attempts = self._landing.get(row.id, 0) + 1
        self._landing[row.id] = attempts
        if attempts >= self._config.landing_attempts:
            self._landing.pop(row.id, None)
            await self._await_library(row, t, base)
        else:
            await self._store.update(row.id, row.status, base)

    async def _event_local(self, t: Transfer) -> str | None:
        try:
            return await self._client.local_filename(t)
        except SlskdError as err:
            log.info("slskd events log unavailable (%s); using the path rule", err)
            return None

    async def _await_library(self, row: Download, t: Transfer, base: Change) -> None:
        self.retired.add(t.id)
        change = _with(base, awaiting_library=True, progress=1.0, bytes_downloaded=t.size)
        updated = await self._store.update(row.id, row.status, change)
        if updated is not None and self._on_awaiting is not None:
            await self._on_awaiting(updated)

    async def _fail(self, row: Download, reason: str, t: Transfer | None, base: Change) -> None:
        if t is not None:
            self.retired.add(t.id)
            self._errored[t.id] = t
        if row.retry_count < self._config.max_retries:
            new_id = await self._reenqueue(row)
            if new_id is not None:
                change = _with(
                    base, status=DownloadStatus.PENDING, retry_count=row.retry_count + 1,
                    remote_transfer=new_id, error_message=reason, progress=0.0, bytes_downloaded=0,
                )  # fmt: skip
                await self._set(row, _Kind.QUEUED, change, t)
                return
        await self._set(
            row, _Kind.FAILED, _with(base, status=DownloadStatus.FAILED, error_message=reason), t
        )

    async def _reenqueue(self, row: Download) -> TransferId | None:
        """Enqueue the file again; its new id, "" when slskd did not say (legacy), None on failure."""
        request = FileRequest(row.remote_filename, row.file_size or 0)
        try:
            result = await self._client.enqueue(row.remote_user, [request])
        except SlskdError as err:
            log.warning("retrying %s failed: %s", row.remote_filename, err)
            return None
        for t in result.enqueued:
            if t.filename == row.remote_filename:
                return t.id
        # "" clears the stored id: the next poll finds the new transfer by name.
        return None if result.confirmed else TransferId("")

    async def _set(
        self, row: Download, kind: DownloadEventKind, change: Change, t: Transfer | None
    ) -> None:
        updated = await self._store.update(row.id, row.status, change)
        if updated is not None:
            self._last_progress.pop(row.id, None)
            self._emit(kind, updated, t)

    def _emit(self, kind: DownloadEventKind, row: Download, t: Transfer | None) -> None:
        if self._on_event is None:
            return
        speed = t.average_speed if t is not None else 0.0
        eta = t.eta_seconds if t is not None else None
        self._on_event(DownloadEvent(kind, row, speed=speed, eta=eta))

    async def cleanup(self, transfers: Sequence[Transfer]) -> None:
        """Remove failed transfers one by one, then clear the recorded rest in bulk."""
        self._last_cleanup = self._clock.monotonic()
        listed = {t.id for t in transfers}
        for tid, t in list(self._errored.items()):
            if tid in listed:
                await self._client.cancel(t.username, tid, remove=True)
            self._errored.pop(tid, None)
        clearable = [t for t in transfers if t.id in self.retired and is_bulk_clearable(t.state)]
        if not clearable or self._landing:
            return  # nothing of ours, or a completed file still waits to be landed
        if self._config.bulk_cleanup:
            await self._client.clear_completed()
        else:
            for t in clearable:
                await self._client.cancel(t.username, t.id, remove=True)
        cleared = {t.id for t in clearable}
        for tid in [tid for tid in self.retired if tid not in listed or tid in cleared]:
            self.retired.discard(tid)


def _with(base: Change, **fields: object) -> Change:
    return dataclasses.replace(base, **fields)  # type: ignore[arg-type]
