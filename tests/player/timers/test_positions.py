"""Long tracks resume where they were left (issue 21, acceptance 4), on the fake engine and a real
player.db: per track, across queues and across a restart of the positions' owner."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cache.models import Track
from player.engine.fake import FakeEngine
from player.playback import commands as c
from player.playback.controller import PlayerController
from player.playback.state_store import StateStore
from player.timers.positions import LongTrackPositions
from player.timers.store import TimerStore
from tests.player.timers.test_sleep import PathResolver, track
from tests.polling import until

OVER = 1200.0
BOOK, SONG = track("book", 2400.0), track("song", 200.0)


@pytest.fixture
async def controller(tmp_path: Path) -> AsyncIterator[PlayerController]:
    state = await StateStore.open(tmp_path / "player.db")
    engine = FakeEngine(speed=1.0, position_interval=0.05)
    ctl = PlayerController(engine, PathResolver())
    task = asyncio.create_task(ctl.run())
    try:
        yield ctl
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await engine.shutdown()
        await state.close()


async def positions_of(ctl: PlayerController, db: Path) -> tuple[LongTrackPositions, TimerStore]:
    store = await TimerStore.open(db)
    positions = LongTrackPositions(ctl, store, OVER)
    await positions.load()
    return positions, store


async def play(ctl: PlayerController, *tracks: Track) -> None:
    await ctl.submit(c.QueueAdd(tracks, c.QueueMode.REPLACE, play=True))


async def test_a_long_track_resumes_where_it_was_stopped(
    controller: PlayerController, tmp_path: Path
) -> None:
    positions, store = await positions_of(controller, tmp_path / "player.db")
    writer = asyncio.create_task(positions.run())
    await play(controller, BOOK)
    await controller.submit(c.Seek(1050.0))
    await controller.submit(c.Stop())
    await until(lambda: positions.saved(BOOK.id) is not None)
    assert positions.saved(BOOK.id) == pytest.approx(1050.0, abs=0.5)
    await play(controller, SONG)  # something else meanwhile; short tracks are never remembered
    await controller.submit(c.Seek(100.0))
    await controller.submit(c.Stop())
    assert positions.saved(SONG.id) is None
    writer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await writer
    await positions.flush()
    await store.close()

    # What a restart keeps: a fresh owner reads player.db, and the book starts at 17:30 again.
    again, store = await positions_of(controller, tmp_path / "player.db")
    assert again.saved(BOOK.id) == pytest.approx(1050.0, abs=0.5)
    await play(controller, SONG, BOOK)
    await controller.submit(c.QueueJump(1))
    await until(lambda: controller.position > 1000.0)
    assert controller.position == pytest.approx(1050.0, abs=1.0)
    await store.close()


async def test_a_long_track_played_to_its_end_is_forgotten(
    controller: PlayerController, tmp_path: Path
) -> None:
    positions, store = await positions_of(controller, tmp_path / "player.db")
    writer = asyncio.create_task(positions.run())
    short_book = track("short-book", OVER + 2.0)
    await play(controller, short_book)
    await controller.submit(c.Seek(OVER - 1.0))
    await controller.submit(c.Pause())
    await until(lambda: positions.saved(short_book.id) is not None)
    await controller.submit(c.Play())
    await until(lambda: positions.saved(short_book.id) is None, tries=1000)
    writer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await writer
    await positions.flush()
    assert await store.load_positions() == {}
    await store.close()
