"""The pre-cache loop (cache/precache/runner.py) over a real cache.db and a fake download manager:
it plans when poked, carries the plan out with the executor, and a plan carried out once asks for
nothing more."""

from __future__ import annotations

import asyncio

import aiosqlite

from cache.models import AlbumId, ItemId, Track
from cache.planner import CacheConfig, DiskState, Origin, PlayRecord
from cache.planner.signals import LONG_PAUSE
from cache.precache import QueueView
from cache.precache.runner import PLAN_AHEAD, PLAN_BEHIND, Inputs, Precacher
from tests.builders import make_track
from tests.cache.planner.planner_kit import CELL, MB, WIFI
from tests.cache.precache.fake_manager import FakeManager
from tests.polling import until

CONFIG = CacheConfig(storage_limit=100 * MB, min_free_bytes=0)


def track(n: int) -> Track:
    return make_track(f"t{n}", duration=240.0, number=n, title=f"Song {n}", size=10 * MB)


async def test_a_queue_change_is_planned_and_carried_out(db: aiosqlite.Connection) -> None:
    manager = FakeManager()
    network = [WIFI]
    inputs = Inputs(db, manager, lambda: CONFIG, lambda: network[0], lambda: DiskState(0, 1 << 40))
    precacher = Precacher(inputs, min_gap=0.01)
    loop = asyncio.create_task(precacher.run())
    try:
        tracks = tuple(track(n) for n in range(1, 5))
        precacher.want(QueueView(tracks, index=0))
        await until(lambda: ("download_item", "t1") in manager.calls)
        assert manager.rows["t1"].priority == 100  # the next track, alone and first
        calls = len(manager.calls)
        await precacher.plan_once()  # nothing changed: nothing more to ask
        assert len(manager.calls) == calls

        network[0] = CELL  # the queue's wants now wait for Wi-Fi, queued for the gate
        precacher.poke()
        await until(lambda: len(manager.rows) > 1)
        assert precacher.last_plan.wait_reason == "waiting for Wi-Fi"
        assert all(r.status == "pending" for r in manager.rows.values())
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)


async def test_a_person_paused_download_stays_paused(db: aiosqlite.Connection) -> None:
    manager = FakeManager()
    inputs = Inputs(db, manager, lambda: CONFIG, lambda: WIFI, lambda: DiskState(0, 1 << 40))
    precacher = Precacher(inputs)
    row, _ = await manager.download_item("t1", origin=Origin.AUTO)
    manager.pause(row.id)
    manager.calls.clear()
    precacher.want(QueueView(tuple(track(n) for n in range(1, 3)), index=0))
    await precacher.plan_once()
    assert manager.rows["t1"].status == "paused"
    assert ("resume", "t1") not in manager.calls


async def test_a_big_queue_is_planned_over_a_window_made_once(db: aiosqlite.Connection) -> None:
    inputs = Inputs(db, FakeManager(), lambda: CONFIG, lambda: WIFI, lambda: DiskState(0, 1 << 40))
    precacher = Precacher(inputs)
    tracks = tuple(track(n) for n in range(20_000))
    precacher.want(QueueView(tracks, index=10_000))
    snap = await precacher.snapshot()
    assert len(snap.queue) == PLAN_BEHIND + PLAN_AHEAD
    assert snap.index is not None and snap.queue[snap.index].id == "t10000"
    precacher.want(QueueView(tracks, index=10_001))  # a track change: one new item, the rest kept
    after = await precacher.snapshot()
    assert after.index is not None and after.queue[after.index].id == "t10001"
    assert after.queue[-2] is snap.queue[-1]
    plan = await precacher.plan_once()
    assert plan.fetches and plan.fetches[0].item_id == "t10001"  # where the queue is, not its top


async def test_the_snapshot_names_the_albums_around_long_pauses(db: aiosqlite.Connection) -> None:
    # the policy reads the track order of the albums played before and after each long pause
    # (resume_share), as the simulator hands it every album: not only the recent plays' ones
    before_pause = [PlayRecord(ItemId(f"a{n}"), AlbumId("old"), 60.0 * n) for n in range(3)]
    after = [
        PlayRecord(ItemId(f"b{n}"), AlbumId("next"), LONG_PAUSE + 200 + 60.0 * n) for n in range(3)
    ]
    recent = [PlayRecord(ItemId(f"c{n}"), AlbumId("now"), 3 * LONG_PAUSE + n) for n in range(20)]
    history = (*before_pause, *after, *recent)

    async def plays() -> tuple[PlayRecord, ...]:
        return history

    inputs = Inputs(
        db, FakeManager(), lambda: CONFIG, lambda: WIFI, lambda: DiskState(0, 1 << 40), plays
    )
    snap = await Precacher(inputs).snapshot()
    assert set(snap.albums) == {"old", "next", "now"}
