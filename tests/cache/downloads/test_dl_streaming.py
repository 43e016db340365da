"""Stream-through in the download manager and the local endpoint (cache/downloads/streaming.py,
cache/streamthrough/): a track that must stream is fetched once by the one manager, past the
queue's slots and the Wi-Fi rule, served to the player as its bytes arrive, with Range; what is
not kept is dropped with its bytes when the stream ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from cache.downloads import DownloadEvent, DownloadStatus, Origin
from cache.models import AlbumId, ItemId, SourceKind, Track
from cache.streamthrough import StreamRules, StreamThrough, StreamTimings
from tests.cache.downloads.conftest import FAST, Env, RunningManager, wait_ended
from tests.cache.downloads.test_dl_commands import Gate
from tests.polling import until
from tests.running import Loops

SIZE = 600_000


@dataclass
class Rules:
    """Settable answers for StreamRules."""

    keep: bool = True
    wait: str | None = None

    def rules(self) -> StreamRules:
        return StreamRules(lambda: True, lambda: self.wait, lambda origin: self.keep)


async def no_track(item_id: ItemId) -> Track | None:
    return None


async def no_fallback(item_id: ItemId) -> str | None:
    return "http://127.0.0.1:9/direct"


@pytest.fixture
async def loops() -> AsyncIterator[Loops]:
    running = Loops()
    yield running
    await running.close()


async def streams_over(env: Env, loops: Loops, rules: Rules) -> StreamThrough:
    """A manager whose automatic downloads all wait for Wi-Fi, and stream-through over it (its
    events reach the streams as MediaCache forwards them)."""
    heard: list[StreamThrough] = []

    def forward(event: DownloadEvent) -> None:
        env.events.append(event)
        for streams in heard:
            streams.download_event(event)

    manager = RunningManager(
        env.db, env.cache_dir, {"jellyfin": env.client}, session=env.session, config=FAST,
        on_event=forward, sleep=env.fast_sleep,
    )  # fmt: skip
    env.managers.append(manager)
    manager.set_gate(Gate())
    await manager.start()
    timings = StreamTimings(idle=0.2, linger=0.0, tick=0.05)
    streams = StreamThrough(manager, no_track, no_fallback, timings)
    streams.rules = rules.rules()
    heard.append(streams)
    await streams.start()
    loops.spawn("stream-through", streams.run())
    return streams


async def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers or {}) as resp:
        return resp.status, dict(resp.headers), await resp.read()


async def test_a_stream_is_served_as_it_arrives_and_fetched_once(env: Env, loops: Loops) -> None:
    _album, (track,) = env.fake.add_album("Tunnel", [SIZE])
    env.fake.rate = 400_000  # the reader waits for bytes that have not arrived yet
    streams = await streams_over(env, loops, Rules(keep=True))
    try:
        status, headers, body = await get(streams.url_for(_track(track.id)) or "")
        assert status == 200 and body == track.data()
        assert headers["Accept-Ranges"] == "bytes"
        assert env.fake.bytes_served(track.id) == SIZE
        # kept: a later start is local (the row completes a moment after the last byte is served)
        await until(lambda: env.managers[0].offline.local_copy(track.id), tries=1000)

        status, headers, body = await get(
            streams.url_for(_track(track.id)) or "", {"Range": "bytes=1000-"}
        )
        assert status == 206 and body == track.data(1000)
        assert headers["Content-Range"] == f"bytes 1000-{SIZE - 1}/{SIZE}"
        assert env.fake.bytes_served(track.id) == SIZE  # a seek is served from the disk
    finally:
        await streams.stop()


async def test_a_stream_not_kept_is_dropped_with_its_bytes(env: Env, loops: Loops) -> None:
    _album, (track,) = env.fake.add_album("Metered", [SIZE])
    streams = await streams_over(env, loops, Rules(keep=False))
    manager = env.managers[0]
    try:
        status, _, body = await get(streams.url_for(_track(track.id)) or "")
        assert status == 200 and body == track.data()

        async def dropped() -> bool:
            listed = await manager.list_downloads()
            return listed.total == 0

        await until(dropped, tries=1000)
        assert not [p for p in env.cache_dir.rglob("*") if p.is_file()]
    finally:
        await streams.stop()


async def test_what_plays_is_not_held_or_evicted_by_the_plan(env: Env, loops: Loops) -> None:
    _album, (track,) = env.fake.add_album("Held", [SIZE])
    env.fake.rate = 300_000
    streams = await streams_over(env, loops, Rules(keep=True))
    manager = env.managers[0]
    try:
        row = await manager.streams.open(track.id)
        assert row.origin is Origin.AUTO
        assert (await manager.hold(row.id, "not needed yet")).status != DownloadStatus.PAUSED
        assert not await manager.evict(track.id)
        assert (await wait_ended(manager, row.id)).status == DownloadStatus.COMPLETED
        await manager.streams.release(row.id, track.id, drop=False)
        assert (await manager.get(row.id)).status == DownloadStatus.COMPLETED
    finally:
        await streams.stop()


async def test_the_endpoint_refuses_strangers_and_bad_ranges(env: Env, loops: Loops) -> None:
    _album, (track,) = env.fake.add_album("Refused", [SIZE])
    streams = await streams_over(env, loops, Rules())
    try:
        url = streams.url_for(_track(track.id)) or ""
        base, item = url.rsplit("/", 2)[0], track.id
        assert (await get(f"{base}/not-the-token/{item}"))[0] == 404
        status, headers, _ = await get(url, {"Range": f"bytes={SIZE}-"})
        assert status == 416 and headers["Content-Range"] == f"bytes */{SIZE}"
        assert (await get(url, {"Range": "bytes=0-1,5-9"}))[0] == 416
    finally:
        await streams.stop()


async def test_no_stream_through_while_the_gate_says_no(env: Env, loops: Loops) -> None:
    _album, (track,) = env.fake.add_album("Offline", [SIZE])
    rules = Rules(wait="waiting for a network")
    streams = await streams_over(env, loops, rules)
    try:
        assert streams.url_for(_track(track.id)) is None
        rules.wait = None
        assert streams.url_for(_track(track.id)) is not None
    finally:
        await streams.stop()


def _track(item_id: str) -> Track:
    return Track(
        ItemId(item_id), "t", "a", AlbumId("a"), (), 60.0, 1, 1, "flac", SIZE, SourceKind.JELLYFIN
    )
