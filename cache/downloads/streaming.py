"""Stream-through in the download manager: a track that must stream is fetched once, by the one
download manager, into the cache as it plays (cache/streamthrough/ serves the growing file to mpv).

A streamed row is an ordinary row (automatic unless a person asked for it) fetched in its
original form: integrity, Range resume and the free-space floor apply as to any download. While
it streams it starts at once (it is what plays: no queue slot, no waiting for Wi-Fi) and the
pre-cacher's holds and evictions leave it alone; once released, the gate and the plan judge it
like any other download, or it is dropped with its bytes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cache.downloads.announce import Announcer
from cache.downloads.models import (
    Download,
    DownloadEventKind,
    DownloadId,
    DownloadStatus,
    Origin,
)
from cache.downloads.requests import Requests
from cache.downloads.scheduler import Scheduler
from cache.downloads.store import DownloadStore
from cache.errors import InvalidStateError
from cache.quality import ORIGINAL

_REVIVE = (DownloadStatus.PAUSED, DownloadStatus.FAILED)

Evict = Callable[[str], Awaitable[bool]]


class Streams:
    """The manager's stream-through commands (`manager.streams`)."""

    def __init__(
        self,
        store: DownloadStore,
        requests: Requests,
        sched: Scheduler,
        out: Announcer,
        evict: Evict,
    ) -> None:
        self._store = store
        self._requests = requests
        self._sched = sched
        self._out = out
        self._evict = evict

    def set_gate(self, reason: Callable[[], str | None]) -> None:
        """What may hold a stream (no network, the free-space floor): None lets it run."""
        self._sched.stream_gate = reason
        self._sched.wake()

    def streaming(self, download_id: int) -> bool:
        return download_id in self._sched.streaming

    async def open(self, item_id: str) -> Download:
        """Fetch `item_id` now, for playback: its row (made if needed, in the original form),
        queued again if it was paused or failed. InvalidStateError for a transcoded row (its
        bytes cannot be served as they arrive: no length, no Range)."""
        # No priority of its own: a stream never waits in the queue, and once released the plan
        # orders it like any other download.
        row, _ = await self._requests.item(item_id, 0, Origin.AUTO, None, original=True)
        async with self._sched.lock:
            row = await self._store.get(row.id) or row
            if row.quality != ORIGINAL:
                raise InvalidStateError(f"{item_id} is kept as {row.quality}: it cannot stream")
            self._sched.streaming.add(row.id)
            if row.status in _REVIVE:
                changes = {"retry_count": 0, "error_message": None, "wait_reason": None}
                updated = await self._store.update(row.id, status=DownloadStatus.PENDING, **changes)
                row = self._out.announce(DownloadEventKind.RESUMED, updated or row)
        self._sched.wake()
        return row

    async def release(self, download_id: int, item_id: str, *, drop: bool) -> None:
        """The stream ended: drop the row with its bytes (an automatic one; a person's stays),
        or leave it to the gate and the pre-cacher like any other download."""
        self._sched.streaming.discard(DownloadId(download_id))
        if drop:
            await self._evict(item_id)
        await self._sched.gate_changed()
