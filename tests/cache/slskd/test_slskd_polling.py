"""The tracker's ticker on a controlled clock: 0.5 s / 5 s, no overlapping polls, poke, recovery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from cache.downloads import DownloadStatus
from cache.slskd.client import SlskdClient
from cache.slskd.events import TrackerConfig
from cache.slskd.store import Change, MemoryStore, NewTransfer
from cache.slskd.tracker import Tracker
from tests.cache.slskd.conftest import ALBUM, FILES, ManualClock, settle
from tests.fakes.slskd import FakeSlskd
from tests.polling import until
from tests.running import Loops

SONG = f"{ALBUM}\\01 - Mouth for War.flac"
LISTING = ("GET", "/api/v0/transfers/downloads")


class RunningTracker(Tracker):
    """A tracker whose start() runs its loop as the service's supervisor does."""

    loops: Loops

    def start(self) -> None:
        self.loops.spawn("slskd-tracker", self.run())


@pytest.fixture
async def rig(
    client: SlskdClient, tmp_path: Path
) -> AsyncIterator[tuple[RunningTracker, MemoryStore, ManualClock]]:
    store, clock = MemoryStore(), ManualClock()
    config = TrackerConfig(cache_dir=tmp_path / "c", cleanup_interval=1e9)
    tracker = RunningTracker(client, store, config, clock=clock)
    tracker.loops = Loops()
    yield tracker, store, clock
    await tracker.loops.close()


def listings(fake: FakeSlskd) -> Callable[[], int]:
    return lambda: fake.requests.count(LISTING)


async def test_idle_then_active_then_idle(
    rig: tuple[RunningTracker, MemoryStore, ManualClock], fake: FakeSlskd
) -> None:
    tracker, store, clock = rig
    tracker.start()
    await settle()
    assert tracker.polls_started == 1
    assert clock.sleeps == [5.0]  # nothing followed: idle interval
    await clock.advance(5.0)
    assert tracker.polls_started == 2
    await store.add(NewTransfer("peer one", SONG, len(FILES[SONG])))
    tracker.poke()  # a user action: poll now, without waiting out the 5 s
    await settle()
    assert tracker.polls_started == 3
    assert clock.now == 5.0
    await until(lambda: _true(tracker.active), tries=200)
    await clock.advance(5.0)  # the sleep that was running when the poke came is gone
    assert clock.sleeps[-1] == 0.5
    before = tracker.polls_started
    await clock.advance(0.5)
    assert tracker.polls_started == before + 1
    row = (await store.followed())[0]
    await store.update(row.id, row.status, Change(status=DownloadStatus.CANCELLED))
    await until(lambda: _poll_done(tracker), tries=200)
    await clock.advance(0.5)
    await until(lambda: _true(not tracker.active), tries=200)
    await clock.advance(0.5)
    assert clock.sleeps[-1] == 5.0


async def test_a_running_poll_makes_ticks_skip(
    rig: tuple[RunningTracker, MemoryStore, ManualClock], fake: FakeSlskd
) -> None:
    tracker, store, clock = rig
    await store.add(NewTransfer("peer one", SONG, len(FILES[SONG])))
    tracker.active = True
    fake.listing_gate = asyncio.Event()  # slskd answers the listing only when we say
    tracker.start()
    await until(lambda: _true(listings(fake)() == 1), tries=200)
    for _ in range(3):
        await clock.advance(0.5)
    assert tracker.ticks_skipped == 3
    assert tracker.polls_started == 1
    tracker.poke()  # while busy: remembered, run right after the poll
    await settle()
    assert listings(fake)() == 1
    fake.listing_gate.set()
    await until(lambda: _true(tracker.polls_started == 2), tries=200)
    await until(lambda: _true(listings(fake)() == 2), tries=200)


async def test_slskd_down_then_back(
    rig: tuple[RunningTracker, MemoryStore, ManualClock], fake: FakeSlskd
) -> None:
    tracker, store, clock = rig
    await store.add(NewTransfer("peer one", SONG, len(FILES[SONG])))
    fake.fail_status = 401
    tracker.start()
    await until(lambda: _true(not tracker.healthy), tries=200)
    assert tracker.interval == 5.0  # back off while slskd refuses us
    fake.fail_status = None
    await clock.advance(tracker.interval)
    await until(lambda: _true(tracker.healthy), tries=200)
    assert tracker.interval == 0.5
    assert (await store.followed())[0].missing_polls == 1  # only the good poll counted


async def _true(value: bool) -> bool:
    return value


async def _poll_done(tracker: Tracker) -> bool:
    task = tracker._poll_task
    return task is None or task.done()
