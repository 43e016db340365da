"""The timers' part of the service: opened after playback (they act through its controller)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from player.config import Config
from player.playback.controller import PlayerController
from player.timers.positions import LongTrackPositions
from player.timers.sleep import SleepTimer
from player.timers.state import WallClock
from player.timers.store import TimerStore


@dataclass(frozen=True, slots=True)
class Timers:
    sleep: SleepTimer
    positions: LongTrackPositions


@contextlib.asynccontextmanager
async def open_timers(
    config: Config, controller: PlayerController, publish: Callable[[object], None]
) -> AsyncIterator[Timers]:
    """Both read back what player.db kept, before anything plays; their `run`s are the caller's."""
    store = await TimerStore.open(config.state_dir / "player.db")
    try:
        positions = LongTrackPositions(controller, store, config.player.remember_position_over)
        await positions.load()
        timer = SleepTimer(controller, store, publish, WallClock())
        await timer.load()
        yield Timers(timer, positions)
        await positions.flush()  # the tasks have ended: what they had not written yet
    finally:
        await store.close()
