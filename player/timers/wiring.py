"""The timers' part of the service: opened after playback (they act through its controller)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from cache.models import Track
from player.config import Config
from player.playback.controller import PlayerController
from player.playback.library import Library
from player.radio.stations import RadioBook
from player.timers.alarm_model import AlarmPlay, PlayKind
from player.timers.alarms import AlarmClock, AlarmTimings
from player.timers.positions import LongTrackPositions
from player.timers.ringing import Ringer
from player.timers.settings import config_alarms
from player.timers.sleep import SleepTimer
from player.timers.state import Clock, WallClock
from player.timers.store import TimerStore


@dataclass(frozen=True, slots=True)
class Timers:
    sleep: SleepTimer
    positions: LongTrackPositions
    alarms: AlarmClock


@contextlib.asynccontextmanager
async def open_timers(
    config: Config,
    controller: PlayerController,
    library: Library,
    radio: RadioBook,
    publish: Callable[[object], None],
    clock: Clock | None = None,
) -> AsyncIterator[Timers]:
    """All read back what player.db kept, before anything plays; their `run`s are the caller's.
    `clock` replaces the wall clock in tests."""
    clock = clock or WallClock()
    store = await TimerStore.open(config.state_dir / "player.db")
    try:
        positions = LongTrackPositions(controller, store, config.player.remember_position_over)
        await positions.load()
        timer = SleepTimer(controller, store, publish, clock)
        await timer.load()
        alarms = _alarm_clock(config, controller, (library, radio), store, publish, clock)
        await alarms.load()
        yield Timers(timer, positions, alarms)
        await positions.flush()  # the tasks have ended: what they had not written yet
    finally:
        await store.close()


def _alarm_clock(
    config: Config,
    controller: PlayerController,
    music: tuple[Library, RadioBook],
    store: TimerStore,
    publish: Callable[[object], None],
    clock: Clock,
) -> AlarmClock:
    library, radio = music

    async def tracks_for(play: AlarmPlay) -> list[Track]:
        if play.kind is PlayKind.ALBUM:
            album = await library.album(play.ref)
            return list(album.tracks or ()) if album is not None else []
        if play.kind is PlayKind.PLAYLIST:
            playlist = await library.playlists.get(play.ref)
            return list(playlist.entries or ()) if playlist is not None else []
        station = radio.get(play.ref)
        return [station.track()] if station is not None else []

    ringer = Ringer(controller, library, tracks_for, publish, clock)
    settings = config.timers
    timings = AlarmTimings(
        grace=settings.alarm_grace_minutes * 60.0, snooze=settings.snooze_minutes * 60.0
    )
    return AlarmClock(config_alarms(config.alarms), store, ringer, publish, clock, timings)
