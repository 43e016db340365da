"""Issue 13 item 12: the catalogue sync retries with backoff, and at once when the server is back."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from cache.jellyfin import JellyfinConfig
from cache.media import MediaCache, MediaSettings
from tests.fakes.jellyfin import FakeJellyfin
from tests.integration.service import free_port
from tests.polling import until


async def albums(media: MediaCache) -> int:
    return (await media.albums("", 0, 10))[1]


async def album_count_is(media: MediaCache, count: int) -> bool:
    return await albums(media) == count


@pytest.fixture
async def fake() -> AsyncIterator[FakeJellyfin]:
    server = FakeJellyfin()
    server.add_user("alice", "secret")
    server.add_album("Came Back", [1000])
    yield server
    await server.close()


def settings(tmp_path: Path, port: int, retry: tuple[float, ...]) -> MediaSettings:
    jellyfin = JellyfinConfig(f"http://127.0.0.1:{port}", "alice", "secret")
    made = MediaSettings(
        tmp_path / "state", tmp_path / "cache", tmp_path / "music", demo=False, jellyfin=jellyfin
    )
    return replace(made, sync_retry_delays=retry)


@contextlib.asynccontextmanager
async def running(made: MediaSettings) -> AsyncIterator[MediaCache]:
    media = MediaCache(made)
    await media.start()
    task = asyncio.create_task(media.run())
    try:
        yield media
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await media.stop()


async def test_a_failed_sync_is_retried_after_a_short_delay(
    tmp_path: Path, fake: FakeJellyfin
) -> None:
    port = free_port()
    async with running(settings(tmp_path, port, (0.2,))) as media:
        await media.scanned.wait()
        await asyncio.sleep(0.3)  # a sync or two failed: nobody listens on the port yet
        assert await albums(media) == 0
        await fake.start(port)
        await until(lambda: album_count_is(media, 1), step=0.02)


async def test_the_server_coming_back_syncs_at_once(tmp_path: Path, fake: FakeJellyfin) -> None:
    port = free_port()
    async with running(settings(tmp_path, port, (3600.0,))) as media:
        media.server_reachable(False)
        await media.scanned.wait()
        await asyncio.sleep(0.3)
        await fake.start(port)
        await asyncio.sleep(0.3)
        assert await albums(media) == 0  # the retry is an hour away
        media.server_reachable(True)
        await until(lambda: album_count_is(media, 1), step=0.02)
