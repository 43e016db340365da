"""The slskd facade MediaCache owns: searches, enqueues, the tracker, events and the library hand-off.

Built only when `[slskd] url` is configured. It is the download manager's `TransferSource`: slskd
moves the files, the tracker writes the same download rows every source has and feeds their events
to the manager; the user's cancel and retry come back through `cancel_transfer`/`retry_transfer`.
Its two loops (`tracker.run`, `watch_library`) run under the service's supervisor. slskd being
down never stops it: the tracker keeps polling at the idle interval and resumes by itself, and the
commands raise `SlskdError`s, which are `CacheError`s the API answers as `upstream_unavailable`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import aiosqlite

from cache.catalogue import Catalogue
from cache.contain import one_round
from cache.downloads.models import (
    Download,
    DownloadEvent,
    DownloadEventKind,
    DownloadSink,
    DownloadStatus,
)
from cache.slskd.candidates import rank_candidates
from cache.slskd.client import ClientConfig, SlskdClient
from cache.slskd.errors import SlskdRequestError
from cache.slskd.events import TrackerConfig
from cache.slskd.library import find_in_jellyfin, import_landed
from cache.slskd.sqlite_store import SqliteStore
from cache.slskd.store import SOURCE, Change
from cache.slskd.tracker import Tracker
from cache.slskd.wire import FileRequest, SearchId
from cache.sources.base import Capabilities
from cache.timeouts import woken

log = logging.getLogger(__name__)

QueueItem = Callable[[str], Awaitable[object]]
"""Queues a Jellyfin item for download (the download manager's `download_item`)."""


@dataclass(frozen=True, slots=True)
class SlskdSettings:
    """What the service needs to reach slskd and follow its transfers; timings are parameters."""

    url: str
    api_key: str = field(default="", repr=False)  # a secret: never in a repr or a log line
    downloads_dir: Path | None = None  # slskd's downloads folder as seen from here, if readable
    poll_active: float = 0.5
    poll_idle: float = 5.0
    max_retries: int = 2
    search_timeout: float = 15.0  # seconds slskd keeps a search open on the network
    max_candidates: int = 50
    library_check_interval: float = 300.0  # rows waiting for Jellyfin look for their track


class SlskdService:
    """Commands of the slskd routes, the tracker and the library hand-off, over cache.db."""

    name = SOURCE
    # slskd has no pause: a transfer it was told to stop goes on untracked, so nothing offers it.
    capabilities = Capabilities(fetch=False, can_pause=False, can_retry=True)

    def __init__(
        self,
        settings: SlskdSettings,
        db: aiosqlite.Connection,
        catalogue: Catalogue,
        cache_dir: Path,
        session: aiohttp.ClientSession,
        *,
        on_event: DownloadSink | None = None,
        queue_item: QueueItem | None = None,
    ) -> None:
        self.settings = settings
        self._catalogue = catalogue
        self._cache_dir = cache_dir
        self._on_event = on_event
        self._queue_item = queue_item
        self.client = SlskdClient(session, ClientConfig(url=settings.url, api_key=settings.api_key))
        self.store = SqliteStore(db)
        config = TrackerConfig(
            active_interval=settings.poll_active, idle_interval=settings.poll_idle,
            max_retries=settings.max_retries, downloads_dir=settings.downloads_dir,
            cache_dir=cache_dir,
        )  # fmt: skip
        self.tracker = Tracker(
            self.client, self.store, config, on_event=self._publish,
            on_awaiting_library=self._awaiting, on_landed=self._landed,
        )  # fmt: skip
        self._look = asyncio.Event()
        self._look.set()  # the first look happens at once

    # -- the download manager's TransferSource ----------------------------------------------

    async def cancel_transfer(self, row: Download) -> None:
        """Cancel at slskd too, then record the row cancelled."""
        await self.tracker.cancel(row.id)

    async def retry_transfer(self, row: Download) -> None:
        """Enqueue a failed file at slskd again (raises SlskdError)."""
        await self.tracker.retry(row)

    # -- commands ----------------------------------------------------------------------------

    async def start_search(self, query: str) -> dict[str, Any]:
        """Start a search at slskd: `{id, state}` (poll `search` for the candidates)."""
        text = " ".join(query.split())
        if not text:
            raise SlskdRequestError("the search text is empty")
        search = await self.client.start_search(
            text, timeout_ms=int(self.settings.search_timeout * 1000)
        )
        return {"id": search.id, "state": search.state}

    async def search(self, search_id: str) -> dict[str, Any]:
        """A search's state and, once complete, its candidates best first."""
        search = await self.client.get_search(SearchId(search_id))
        candidates: list[dict[str, Any]] = []
        if search.is_complete:
            responses = await self.client.search_responses(search.id)
            ranked = rank_candidates(responses)[: self.settings.max_candidates]
            candidates = [c.to_json() for c in ranked]
        body = {"id": search.id, "state": search.state, "complete": search.is_complete}
        return body | {"candidates": candidates}

    async def enqueue(self, username: str, files: Sequence[FileRequest]) -> list[Download]:
        """Enqueue a peer's files; the Download objects recorded (422 when slskd took none)."""
        outcome = await self.tracker.enqueue(username, files)
        if not outcome.downloads and outcome.failed:
            names = ", ".join(f for f in outcome.failed if f) or "every file"
            raise SlskdRequestError(f"slskd did not enqueue {names} (already queued, or refused)")
        return list(outcome.downloads)

    # -- tracker hooks -----------------------------------------------------------------------

    def _publish(self, event: DownloadEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)

    async def _landed(self, row: Download, relpath: str) -> None:
        await import_landed(self._catalogue, self._cache_dir, row, relpath)

    async def _awaiting(self, row: Download) -> None:
        log.info("slskd finished %s; waiting for it to appear in Jellyfin", row.title)
        self._look.set()

    # -- the hand-off to Jellyfin ------------------------------------------------------------

    async def watch_library(self) -> None:
        """Look for waiting files in Jellyfin when the catalogue changes, and every interval."""
        while True:
            await woken(self._look, self.settings.library_check_interval)
            self._look.clear()
            # a watcher that dies would strand every waiting row
            await one_round(self.check_library(), "looking for slskd files in Jellyfin", log)

    async def check_library(self) -> int:
        """Queue the Jellyfin copy of every file waiting for one; how many were found."""
        found = 0
        for row in await self.store.awaiting():
            track = await find_in_jellyfin(self._catalogue, row)
            if track is None or self._queue_item is None:
                continue
            await self._queue_item(track.id)
            change = Change(status=DownloadStatus.COMPLETED, awaiting_library=False, progress=1.0)
            updated = await self.store.update(row.id, row.status, change)
            if updated is not None:
                found += 1
                self._publish(DownloadEvent(DownloadEventKind.COMPLETED, updated, speed=0.0))
        return found

    def library_changed(self) -> None:
        """The catalogue changed (a Jellyfin sync): look for waiting files now."""
        self._look.set()
