"""The sleep timer on a controlled clock (issue 21, acceptance 1): a real controller on the fake
engine, a real player.db; the timer's own time is a manual clock that jumps where it is told."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cache.models import SourceKind, Track
from player.engine.fake import FakeEngine
from player.playback import commands as c
from player.playback.commands import PlayState
from player.playback.controller import PlayerController
from player.playback.resolve import PlayingFrom, Resolved
from player.playback.state_store import StateStore
from player.timers.sleep import SleepTimer, SleepTimings
from player.timers.state import SleepChanged, SleepMode
from player.timers.store import TimerStore
from tests.builders import make_track
from tests.polling import until

START = 1_800_000_000.0  # an epoch second, 2027-01-15
VOLUME = 70


class ManualClock:
    """Wall time that moves only when the timer sleeps: a 10-minute timer runs in no time.
    While held, a sleep waits for the release (the test sets things up meanwhile)."""

    def __init__(self, now: float = START) -> None:
        self.t = now
        self.running = asyncio.Event()
        self.running.set()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        await self.running.wait()
        self.t += seconds
        await asyncio.sleep(0)


class PathResolver:
    async def resolve(self, t: Track) -> Resolved | None:
        return Resolved(f"/{t.id}", PlayingFrom.LOCAL)


def track(item_id: str, duration: float) -> Track:
    return make_track(item_id, duration=duration, source=SourceKind.LOCAL)


@dataclass
class Rig:
    controller: PlayerController
    clock: ManualClock
    db: Path
    published: list[object]
    seen: list[tuple[float, int, PlayState]] = field(default_factory=list)  # (time, volume, state)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    stores: list[TimerStore] = field(default_factory=list)

    async def timer(self, timings: SleepTimings) -> tuple[SleepTimer, TimerStore]:
        store = await TimerStore.open(self.db)
        self.stores.append(store)
        timer = SleepTimer(self.controller, store, self.published.append, self.clock, timings)
        await timer.load()
        self.tasks.append(asyncio.create_task(timer.run()))
        return timer, store


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    db = tmp_path / "player.db"
    state = await StateStore.open(db)  # makes the schema, as the playback context does first
    engine = FakeEngine(speed=1.0, position_interval=0.05)
    controller = PlayerController(engine, PathResolver(), volume=VOLUME)
    rig = Rig(controller, ManualClock(), db, [])
    controller.add_listener(
        lambda _: rig.seen.append((rig.clock.now(), controller.volume, controller.state))
    )
    rig.tasks.append(asyncio.create_task(controller.run()))
    await controller.submit(c.SetVolume(volume=VOLUME))
    try:
        yield rig
    finally:
        for task in reversed(rig.tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for store in rig.stores:
            await store.close()
        await engine.shutdown()
        await state.close()


async def ended(rig: Rig) -> None:
    """Until the timer said it is over (after its pause and volume)."""

    def over() -> bool:
        last = rig.published[-1] if rig.published else None
        return isinstance(last, SleepChanged) and not last.status.active

    await until(over, tries=1000)


async def stop_timer(rig: Rig) -> None:
    """The service stops: the timer's loop ends, its connection closes."""
    task = rig.tasks.pop()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await rig.stores.pop().close()


async def play_long(controller: PlayerController) -> None:
    await controller.submit(c.QueueAdd((track("t1", 3600.0),), c.QueueMode.REPLACE, play=True))


async def test_ten_minutes_fade_then_pause_at_ten_minutes_with_the_volume_back(rig: Rig) -> None:
    await play_long(rig.controller)
    timer, store = await rig.timer(SleepTimings(fade_seconds=30.0, fade_step=1.0))
    status = await timer.set_minutes(10)
    assert status.to_json() == {
        "active": True,
        "ends_at": "2027-01-15T08:10:00Z",
        "mode": "minutes",
    }
    await ended(rig)

    paused_at = next(t for t, _, state in rig.seen if state is PlayState.PAUSED)
    assert paused_at == pytest.approx(START + 600.0)
    fading = [(t, v) for t, v, state in rig.seen if state is PlayState.PLAYING and v < VOLUME]
    assert fading, "the volume went down before the pause"
    assert min(t for t, _ in fading) >= START + 570.0  # the last 30 s only
    volumes = [v for _, v in fading]
    assert volumes == sorted(volumes, reverse=True) and volumes[-1] <= 3
    assert rig.controller.volume == VOLUME and rig.controller.state is PlayState.PAUSED
    assert await store.load_sleep() is None


async def test_end_of_track_pauses_at_the_tracks_end(rig: Rig) -> None:
    short, after = track("t1", 1.0), track("t2", 3600.0)
    await rig.controller.submit(c.QueueAdd((short, after), c.QueueMode.REPLACE, play=True))
    timer, _store = await rig.timer(SleepTimings(fade_seconds=0.5, fade_step=0.1, poll_seconds=0.1))
    status = await timer.set_mode(SleepMode.END_OF_TRACK)
    assert status.mode is SleepMode.END_OF_TRACK and status.ends_at is not None
    await ended(rig)
    # Paused as the next track began: it waits at its start, at the volume from before the fade.
    assert rig.controller.state is PlayState.PAUSED
    assert rig.controller.queue.index == 1 and rig.controller.position < 1.0
    assert rig.controller.volume == VOLUME


async def test_cancel_puts_the_volume_back_and_nothing_pauses(rig: Rig) -> None:
    await play_long(rig.controller)
    rig.clock.running.clear()  # the clock stands still: the timer stays in its fade
    timer, store = await rig.timer(SleepTimings(fade_seconds=120.0))
    await timer.set_minutes(1)  # a minute left of a two-minute fade: half the volume at once
    await until(lambda: rig.controller.volume == VOLUME // 2, tries=1000)
    await timer.cancel()
    assert not timer.status().active and timer.status().to_json()["ends_at"] is None
    assert rig.controller.volume == VOLUME and rig.controller.state is PlayState.PLAYING
    assert await store.load_sleep() is None


async def test_a_restart_keeps_the_timer_and_its_end_time(rig: Rig) -> None:
    await play_long(rig.controller)
    rig.clock.running.clear()
    timer, _ = await rig.timer(SleepTimings())
    await timer.set_minutes(45)
    await timer.add_minutes(15)  # a button press
    ends_at = timer.status().ends_at
    assert ends_at == START + 3600.0
    await stop_timer(rig)
    # The service comes back up 20 minutes later: the same end time, still counting.
    rig.clock.t += 1200.0
    again, _store = await rig.timer(SleepTimings())
    assert again.status().active and again.status().ends_at == ends_at
    rig.clock.running.set()
    await ended(rig)
    assert rig.clock.now() == pytest.approx(ends_at) and rig.controller.state is PlayState.PAUSED


async def test_a_timer_that_ran_out_while_the_service_was_down_pauses_at_once(rig: Rig) -> None:
    await play_long(rig.controller)
    rig.clock.running.clear()
    timer, _ = await rig.timer(SleepTimings())
    await timer.set_minutes(5)
    await stop_timer(rig)
    rig.clock.t += 3600.0
    _again, _store = await rig.timer(SleepTimings())  # ends before it ever sleeps
    await ended(rig)
    assert rig.controller.state is PlayState.PAUSED and rig.controller.volume == VOLUME


async def test_end_of_queue_ends_with_the_queue_and_the_volume_back(rig: Rig) -> None:
    tracks = (track("t1", 0.6), track("t2", 1.0))
    await rig.controller.submit(c.QueueAdd(tracks, c.QueueMode.REPLACE, play=True))
    timer, _ = await rig.timer(SleepTimings(fade_seconds=0.5, fade_step=0.1, poll_seconds=0.1))
    await timer.set_mode(SleepMode.END_OF_QUEUE)
    await ended(rig)
    assert rig.controller.state is PlayState.STOPPED and rig.controller.volume == VOLUME
    # The fade began only on the last track: the first played at full volume.
    assert all(v == VOLUME for _, v, _ in rig.seen[:3])
