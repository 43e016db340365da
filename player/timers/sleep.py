"""The sleep timer: fades the volume over its last seconds, pauses, and puts the volume back.

It lives in the device, so the page, the buttons and every other controller see the same timer;
it acts only through the controller's typed Commands. A minutes timer ends at a fixed wall time
(kept in player.db, so a restart keeps it); the track modes end when the track, or the queue,
plays out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from player.playback import commands as c
from player.playback import playevents as pe
from player.playback.commands import PlayState
from player.playback.controller import PlayerController
from player.timers.state import Clock, SleepChanged, SleepMode, SleepStatus, first_done
from player.timers.store import SavedSleep, TimerStore

log = logging.getLogger(__name__)
MAX_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class SleepTimings:
    fade_seconds: float = 30.0  # the fade over the timer's last seconds
    fade_step: float = 1.0  # seconds between volume steps during the fade
    poll_seconds: float = 5.0  # how often the track modes look at the track's remaining time


class SleepTimer:
    """One timer at a time; setting a new one replaces it."""

    def __init__(
        self,
        controller: PlayerController,
        store: TimerStore,
        publish: Callable[[object], None],
        clock: Clock,
        timings: SleepTimings | None = None,
    ) -> None:
        self._controller = controller
        self._store = store
        self._publish = publish
        self._clock = clock
        self._timings = timings or SleepTimings()
        self._mode: SleepMode | None = None
        self._ends_at: float | None = None
        self._restore_volume: int | None = None
        self._played_out = False  # the armed track (or the queue) came to its end
        self._pressed_minutes = 0.0  # button presses the loop has not applied yet
        self._changed = asyncio.Event()
        controller.add_play_listener(self._on_play)
        controller.add_listener(self._on_controller_change)

    # -- what the routes and buttons call ----------------------------------------------------
    def status(self) -> SleepStatus:
        if self._mode is None or self._mode is SleepMode.MINUTES:
            return SleepStatus(self._mode, self._ends_at)
        remaining = self._track_remaining()
        ends_at = self._clock.now() + remaining if remaining is not None else None
        return SleepStatus(self._mode, ends_at)

    async def set_minutes(self, minutes: float) -> SleepStatus:
        await self._arm(SleepMode.MINUTES, self._clock.now() + minutes * 60.0)
        return self.status()

    async def add_minutes(self, minutes: float) -> SleepStatus:
        """A button press: extends a minutes timer, or starts one."""
        if self._mode is SleepMode.MINUTES and self._ends_at is not None:
            start = max(self._ends_at, self._clock.now())
        else:
            start = self._clock.now()
        limit = self._clock.now() + MAX_MINUTES * 60.0
        await self._arm(SleepMode.MINUTES, min(start + minutes * 60.0, limit))
        return self.status()

    def add_minutes_nowait(self, minutes: float) -> None:
        """For buttons (on the loop, never waiting): the timer's loop applies it."""
        self._pressed_minutes += minutes
        self._changed.set()

    async def set_mode(self, mode: SleepMode) -> SleepStatus:
        """End of track or end of queue."""
        await self._arm(mode, None)
        return self.status()

    async def cancel(self) -> None:
        if self._mode is not None:
            await self._end(pause=False)

    async def load(self) -> None:
        """Take back the timer a restart interrupted (before `run`)."""
        saved = await self._store.load_sleep()
        if saved is not None:
            self._mode, self._ends_at = saved.mode, saved.ends_at
            self._restore_volume = saved.restore_volume

    # -- the loop ------------------------------------------------------------------------
    async def run(self) -> None:
        """Waits for the end, fades, pauses; a critical-free task for the life of the service."""
        while True:
            self._changed.clear()
            if self._pressed_minutes:
                minutes, self._pressed_minutes = self._pressed_minutes, 0.0
                await self.add_minutes(minutes)
            wait = await self._step()
            if wait is None:
                await self._changed.wait()
            else:
                await self._wait(wait)

    async def _step(self) -> float | None:
        """Act on the timer now; how long until it needs another look (None: until a change)."""
        if self._mode is None:
            return None
        if self._played_out:
            await self._end(pause=self._mode is SleepMode.END_OF_TRACK)
            return None
        remaining = self._remaining()
        if remaining is None:
            return self._timings.poll_seconds
        if remaining <= 0 and self._mode is SleepMode.MINUTES:
            await self._end(pause=True)
            return None
        fade = self._timings.fade_seconds
        if remaining > fade:
            return min(remaining - fade, self._poll_cap())
        await self._fade(max(0.0, remaining))
        return min(self._timings.fade_step, remaining) if remaining > 0 else self._poll_cap()

    async def _wait(self, seconds: float) -> None:
        # The clock may be a test's; a change (set, cancel, a track's end) cuts the wait short.
        await first_done(self._changed.wait(), self._clock.sleep(seconds))

    def _poll_cap(self) -> float:
        return float("inf") if self._mode is SleepMode.MINUTES else self._timings.poll_seconds

    def _remaining(self) -> float | None:
        if self._mode is SleepMode.MINUTES:
            return None if self._ends_at is None else self._ends_at - self._clock.now()
        return self._track_remaining()

    def _track_remaining(self) -> float | None:
        ctl = self._controller
        if ctl.state is not PlayState.PLAYING or ctl.duration is None:
            return None
        if self._mode is SleepMode.END_OF_QUEUE and not self._on_last_entry():
            return None
        position = ctl.engine.position()
        return max(0.0, ctl.duration - (position if position is not None else ctl.position))

    def _on_last_entry(self) -> bool:
        queue = self._controller.queue
        return queue.index is not None and queue.index == len(queue.entries) - 1

    # -- acting -------------------------------------------------------------------------
    async def _fade(self, remaining: float) -> None:
        ctl = self._controller
        restore = self._restore_volume
        if restore is None:
            restore = self._restore_volume = ctl.volume
            await self._save()
        share = remaining / self._timings.fade_seconds if self._timings.fade_seconds else 0.0
        target = round(restore * share)
        if target < ctl.volume:  # never louder: a person who turned it down meant it
            await ctl.submit(c.SetVolume(volume=target))

    async def _arm(self, mode: SleepMode, ends_at: float | None) -> None:
        await self._put_back_volume()
        self._mode, self._ends_at, self._played_out = mode, ends_at, False
        await self._save()
        self._changed.set()
        self._publish(SleepChanged(self.status()))

    async def _end(self, *, pause: bool) -> None:
        # The pause and the volume first: whoever sees the timer gone sees them done.
        if pause and self._controller.state is PlayState.PLAYING:
            await self._controller.submit(c.Pause())
        await self._put_back_volume()
        self._mode = self._ends_at = None
        self._played_out = False
        await self._save()
        self._changed.set()
        log.info("sleep timer %s", "ran out: paused" if pause else "ended")
        self._publish(SleepChanged(self.status()))

    async def _put_back_volume(self) -> None:
        volume, self._restore_volume = self._restore_volume, None
        if volume is not None and volume != self._controller.volume:
            await self._controller.submit(c.SetVolume(volume=volume))

    async def _save(self) -> None:
        saved = None
        if self._mode is not None:
            saved = SavedSleep(self._mode, self._ends_at, self._restore_volume)
        await self._store.save_sleep(saved)

    # -- listeners (called inside the controller's task: only note and wake the loop) -------
    def _on_play(self, event: pe.PlayEvent) -> None:
        if not isinstance(event, pe.TrackEnded) or event.reason is not pe.TrackEndReason.FINISHED:
            return
        if self._mode is SleepMode.END_OF_TRACK:
            self._played_out = True
            self._changed.set()

    def _on_controller_change(self, what: str) -> None:
        # The queue ran out by itself: the end-of-queue timer is done (nothing left to pause).
        stopped = self._controller.state is PlayState.STOPPED
        if what == "player" and stopped and self._mode is SleepMode.END_OF_QUEUE:
            self._played_out = True
            self._changed.set()
        elif self._mode is not None and self._mode is not SleepMode.MINUTES:
            self._changed.set()  # a seek or a new track moves the estimated end
