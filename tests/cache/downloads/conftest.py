"""A fake Jellyfin on 127.0.0.1, a real cache.db on tmp_path, and managers over them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import aiosqlite
import pytest

from cache.db import open_db
from cache.downloads import (
    Download,
    DownloadConfig,
    DownloadEvent,
    DownloadManager,
    DownloadStatus,
)
from cache.downloads.reconcile import ReconcileReport
from cache.jellyfin import JellyfinClient, JellyfinConfig, JellyfinState
from cache.schema import MIGRATIONS
from tests.fakes.jellyfin import FakeJellyfin
from tests.polling import until
from tests.running import Loops

FAST = DownloadConfig(
    concurrency=2,
    retry_delays=(5.0, 15.0, 45.0),
    max_retries=3,
    connect_timeout=2.0,
    read_timeout=0.3,
    progress_bytes=64 * 1024,
    progress_interval=0.0,
)
ENDED = (DownloadStatus.COMPLETED, DownloadStatus.FAILED, DownloadStatus.PAUSED)


class RunningManager(DownloadManager):
    """A manager whose start() also runs its scheduler, as the service's supervisor does, and
    whose stop() cancels it (as good as a crash: running rows stay `downloading`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loops = Loops()

    async def start(self) -> ReconcileReport:
        report = await super().start()
        self._loops.spawn("download-scheduler", self.run())
        return report

    async def stop(self) -> None:
        await self._loops.close()


@dataclass
class Env:
    """Everything a download test touches; `sleeps` holds the retry delays asked for, unscaled."""

    tmp: Path
    fake: FakeJellyfin
    db: aiosqlite.Connection
    session: aiohttp.ClientSession
    client: JellyfinClient
    events: list[DownloadEvent] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    managers: list[RunningManager] = field(default_factory=list)

    @property
    def cache_dir(self) -> Path:
        return self.tmp / "cache"

    async def fast_sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        await asyncio.sleep(0.001)

    def manager(self, config: DownloadConfig = FAST, **kwargs: Any) -> RunningManager:
        made = RunningManager(
            self.db,
            self.cache_dir,
            {"jellyfin": self.client},
            session=self.session,
            config=config,
            on_event=self.events.append,
            sleep=self.fast_sleep,
            **kwargs,
        )
        self.managers.append(made)
        return made

    def kinds(self, download_id: int) -> list[str]:
        return [str(e.kind) for e in self.events if e.download.id == download_id]


async def wait_ended(manager: DownloadManager, download_id: int) -> Download:
    """Wait for the download to reach completed, failed or paused."""
    found: list[Download] = []

    async def ended() -> bool:
        found[:] = [await manager.get(download_id)]
        return found[0].status in ENDED

    await until(ended, tries=1000)
    return found[0]


@contextlib.asynccontextmanager
async def env_over(tmp_path: Path, fake: FakeJellyfin) -> AsyncIterator[Env]:
    """An Env over `fake` (a FakeJellyfin or a subclass: the transcoding one), torn down after."""
    fake.add_user("alice", "secret")
    await fake.start()
    db = await open_db(tmp_path / "cache.db", MIGRATIONS)
    session = aiohttp.ClientSession()
    client = JellyfinClient(
        JellyfinConfig(fake.url, "alice", "secret"), JellyfinState(tmp_path / "state"), session
    )
    made = Env(tmp_path, fake, db, session, client)
    try:
        yield made
    finally:
        for manager in made.managers:
            await manager.stop()
        await session.close()
        await db.close()
        await fake.close()


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with env_over(tmp_path, FakeJellyfin()) as made:
        yield made
