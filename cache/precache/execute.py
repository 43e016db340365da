"""The device's downloader for the plan executor (cache/executor.py): its steps carried out through
the download manager, the requests read back from the downloads table.

Only automatic rows are the executor's to create, reorder, hold and evict; a person's downloads
are theirs, and a download a person paused stays paused.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping, Sequence
from typing import Protocol

from cache.downloads import Download, DownloadList, DownloadStatus, Origin
from cache.errors import CacheError
from cache.executor import HOLD_REASONS, Request, State, Step, Verb
from cache.models import ItemId

log = logging.getLogger(__name__)


class Manager(Protocol):
    """What of the download manager the pre-cacher uses (a fake one in tests)."""

    @property
    def fetched_sources(self) -> tuple[str, ...]: ...

    async def list_downloads(
        self,
        statuses: Sequence[DownloadStatus] = (),
        origin: Origin | None = None,
        limit: int = 100,
    ) -> DownloadList: ...

    async def download_item(
        self, item_id: str, *, priority: int = 0, origin: Origin = Origin.USER
    ) -> tuple[Download, bool]: ...

    async def hold(self, download_id: int, reason: str) -> Download: ...

    async def resume(self, download_id: int) -> Download: ...

    async def evict(self, item_id: str) -> bool: ...


_ACTIVE = (DownloadStatus.PENDING, DownloadStatus.DOWNLOADING, DownloadStatus.PAUSED)


class ManagerDownloader:
    """Reads the active rows as requests; carries out one step at a time (a step that fails, the
    server gone or the item removed, is logged and the rest of the plan still runs)."""

    def __init__(self, manager: Manager) -> None:
        self._manager = manager
        self._rows: dict[ItemId, Download] = {}

    async def requests(self) -> Mapping[ItemId, Request]:
        """Every pending, running or paused download, as the executor sees it."""
        page = await self._manager.list_downloads(_ACTIVE, None, limit=10_000)
        self._rows = {ItemId(d.item_id): d for d in page.downloads}
        return {i: Request(i, d.origin, d.priority, _state(d)) for i, d in self._rows.items()}

    async def apply(self, step: Step) -> None:
        """Carry out one step of the plan."""
        await _guard(self._apply(step), f"{step.verb} {step.item_id}")

    async def _apply(self, step: Step) -> None:
        row = self._rows.get(step.item_id)
        if step.verb is Verb.EVICT:
            await self._manager.evict(step.item_id)
        elif step.verb is Verb.HOLD and row is not None:
            await self._manager.hold(row.id, step.reason or "")
        elif step.verb is Verb.FETCH:
            if row is not None and _state(row) is State.HELD:
                await self._manager.resume(row.id)
            if step.origin is Origin.AUTO and (row is None or row.priority < step.priority):
                await self._manager.download_item(
                    step.item_id, priority=step.priority, origin=step.origin
                )


def _state(row: Download) -> State:
    if row.status is not DownloadStatus.PAUSED:
        return State.QUEUED
    return State.HELD if row.wait_reason in HOLD_REASONS else State.PAUSED


async def _guard(step: Awaitable[object], what: str) -> None:
    try:
        await step
    except CacheError as err:
        log.info("pre-cache could not %s: %s", what, err)
