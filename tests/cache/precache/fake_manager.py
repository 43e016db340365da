"""A download manager in memory, faithful to the real one in what the plan executor uses: rows
pending, running or paused; a request for an item that has a row adopts it (a person's request makes
it theirs, the priority is only raised); holds pause with a reason; resume queues again; eviction
deletes automatic rows only. Every call is recorded in `calls`."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

from cache.downloads import Download, DownloadId, DownloadList, DownloadStatus, Origin


class FakeManager:
    def __init__(self) -> None:
        self.rows: dict[str, Download] = {}
        self.calls: list[tuple[str, str]] = []  # (method, item id)
        self._ids = itertools.count(1)

    @property
    def fetched_sources(self) -> tuple[str, ...]:
        return ("jellyfin",)

    async def list_downloads(
        self,
        statuses: Sequence[DownloadStatus] = (),
        origin: Origin | None = None,
        limit: int = 100,
    ) -> DownloadList:
        rows = tuple(
            r
            for r in self.rows.values()
            if (not statuses or r.status in statuses) and origin in (None, r.origin)
        )[:limit]
        return DownloadList(rows, 0, 0, len(rows))

    async def download_item(
        self, item_id: str, *, priority: int = 0, origin: Origin = Origin.USER
    ) -> tuple[Download, bool]:
        self.calls.append(("download_item", item_id))
        old = self.rows.get(item_id)
        if old is None:
            self.rows[item_id] = new_row(DownloadId(next(self._ids)), item_id, origin, priority)
            return self.rows[item_id], True
        adopted = Origin.USER if origin is Origin.USER else old.origin
        self.rows[item_id] = dataclasses.replace(
            old, origin=adopted, priority=max(old.priority, priority)
        )
        return self.rows[item_id], False

    async def hold(self, download_id: int, reason: str) -> Download:
        row = self._by_id(download_id)
        self.calls.append(("hold", row.item_id))
        return self._set(row, status=DownloadStatus.PAUSED, wait_reason=reason)

    async def resume(self, download_id: int) -> Download:
        row = self._by_id(download_id)
        self.calls.append(("resume", row.item_id))
        return self._set(row, status=DownloadStatus.PENDING, wait_reason=None)

    async def evict(self, item_id: str) -> bool:
        self.calls.append(("evict", item_id))
        row = self.rows.get(item_id)
        if row is None or row.origin is not Origin.AUTO:
            return False
        del self.rows[item_id]
        return True

    def pause(self, download_id: int) -> None:
        """A person pauses a download (no wait reason: not the executor's hold)."""
        self._set(self._by_id(download_id), status=DownloadStatus.PAUSED, wait_reason=None)

    def complete(self, item_id: str) -> None:
        """The transfer of `item_id` finished (a completed row is no request any more)."""
        self._set(self.rows[item_id], status=DownloadStatus.COMPLETED)

    def _by_id(self, download_id: int) -> Download:
        return next(r for r in self.rows.values() if r.id == download_id)

    def _set(self, row: Download, **changes: object) -> Download:
        self.rows[row.item_id] = dataclasses.replace(row, **changes)  # type: ignore[arg-type]
        return self.rows[row.item_id]


def new_row(download_id: DownloadId, item_id: str, origin: Origin, priority: int) -> Download:
    """A pending row as the real manager inserts it."""
    return Download(
        download_id, item_id, DownloadStatus.PENDING, "jellyfin", origin=origin, priority=priority
    )
