"""Carrying a Plan out through the download manager.

Only automatic rows are the pre-cacher's to create, hold and evict; a person's downloads (pins) are
left as they are, and a download a person paused stays paused.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from cache.downloads import Download, DownloadManager, DownloadStatus
from cache.errors import CacheError
from cache.planner import Fetch, Plan, Snapshot
from cache.planner.snapshot import Origin

log = logging.getLogger(__name__)
NOT_NEEDED = "not needed yet"  # the wait_reason of an automatic download the plan let go
TOP_PRIORITY = (
    100  # automatic rows get 100, 99, ... in plan order; a person's downloads default to 0
)


async def carry_out(manager: DownloadManager, plan: Plan, snap: Snapshot) -> None:
    """Evict, then hold what is no longer wanted, then queue the wanted items in order."""
    for evict in plan.evictions:
        await _guard(manager.evict(evict.item_id), f"evict {evict.item_id}")
    rows = await _auto_rows(manager)
    wanted = [f for f in (*plan.fetches, *plan.held) if f.origin is Origin.AUTO]
    wanted_ids = {f.item_id for f in wanted}
    for row in rows.values():
        if row.item_id not in wanted_ids and row.status in _ACTIVE and row.item_id != snap.current:
            await _guard(manager.hold(row.id, NOT_NEEDED), f"hold {row.item_id}")
    for n, fetch in enumerate(wanted):
        await _guard(
            _ensure_queued(manager, fetch, rows.get(fetch.item_id), n), f"fetch {fetch.item_id}"
        )


_ACTIVE = (DownloadStatus.PENDING, DownloadStatus.DOWNLOADING)


async def _auto_rows(manager: DownloadManager) -> dict[str, Download]:
    page = await manager.list_downloads(
        (DownloadStatus.PENDING, DownloadStatus.DOWNLOADING, DownloadStatus.PAUSED),
        Origin.AUTO,
        limit=10_000,
    )
    return {d.item_id: d for d in page.downloads}


async def _ensure_queued(
    manager: DownloadManager, fetch: Fetch, row: Download | None, order: int
) -> None:
    priority = max(1, TOP_PRIORITY - order)
    if row is None:
        await manager.download_item(fetch.item_id, priority=priority, origin=Origin.AUTO)
    elif row.status is DownloadStatus.PAUSED and row.wait_reason == NOT_NEEDED:
        await manager.resume(row.id)


async def _guard(step: Awaitable[object], what: str) -> None:
    """Run one step of the plan; a step that fails (the server gone, the item removed) is logged
    and the rest of the plan still runs."""
    try:
        await step
    except CacheError as err:
        log.info("pre-cache could not %s: %s", what, err)
