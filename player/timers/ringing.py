"""How an alarm sounds: what it plays, a local album when that will not play, the fade-in.

An alarm never fails silent: when its album, playlist or station cannot be played (the network
or the server is down, the item is gone), a local album plays instead and the page is told why;
only when nothing at all plays is the alarm reported as failed.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cache.errors import CacheError
from cache.models import Availability, Track
from player.playback import commands as c
from player.playback import playevents as pe
from player.playback.commands import PlayState
from player.playback.controller import PlayerController
from player.playback.library import Library
from player.timers.alarm_model import Alarm, AlarmPlay, PlayKind
from player.timers.state import Clock, first_done

log = logging.getLogger(__name__)
TracksFor = Callable[[AlarmPlay], Awaitable[list[Track]]]  # [] when there is nothing to play
_FALLBACK_LOOKS = 200  # albums looked through for one that is on this device


@dataclass(frozen=True, slots=True)
class AlarmProblem:
    """An alarm played something else, or nothing (api.md's `{"type": "error"}`)."""

    alarm_id: str
    code: str  # "alarm_fallback" | "alarm_failed"
    message: str


@dataclass(frozen=True, slots=True)
class RingTimings:
    fade_step: float = 1.0  # seconds between volume steps of the fade-in
    start_timeout: float = 20.0  # real seconds for the engine to begin playing something


class Ringer:
    """Starts an alarm's music through the controller's Commands and fades it in."""

    def __init__(
        self,
        controller: PlayerController,
        library: Library,
        tracks_for: TracksFor,
        publish: Callable[[object], None],
        clock: Clock,
        timings: RingTimings | None = None,
    ) -> None:
        self.controller = controller
        self._library = library
        self._tracks_for = tracks_for
        self._publish = publish
        self._clock = clock
        self._timings = timings or RingTimings()
        self._started = asyncio.Event()
        self._stopped = asyncio.Event()
        self.fading = False
        controller.add_play_listener(self._on_play)
        controller.add_listener(self._on_change)

    async def ring(self, alarm: Alarm, *, still_ringing: Callable[[], bool]) -> bool:
        """Play `alarm` (or the fallback) from silence and fade it in; False: nothing played."""
        await self.controller.submit(c.SetVolume(volume=0))
        played = await self._start(alarm.play)
        if not played:
            played = await self._fall_back(alarm)
        if not played:
            message = f"The {alarm.time} alarm could not play anything."
            self._publish(AlarmProblem(alarm.id, "alarm_failed", message))
            await self.controller.submit(c.SetVolume(volume=alarm.volume))
            return False
        await self.fade_in(alarm, still_ringing)
        return True

    async def ring_again(self, alarm: Alarm, *, still_ringing: Callable[[], bool]) -> None:
        """After a snooze: the same music from where it paused, faded in again."""
        await self.controller.submit(c.SetVolume(volume=0))
        if not await self._play_and_watch(c.Play()):
            await self.ring(alarm, still_ringing=still_ringing)
            return
        await self.fade_in(alarm, still_ringing)

    async def fade_in(self, alarm: Alarm, still_ringing: Callable[[], bool]) -> None:
        """From silence to the alarm's volume; a person who turns it meanwhile ends the fade."""
        ctl, step = self.controller, self._timings.fade_step
        steps = max(1, round(alarm.fade_seconds / step)) if alarm.fade_seconds > 0 else 0
        self.fading = True
        try:
            for n in range(1, steps + 1):
                await self._clock.sleep(step)
                if not still_ringing() or ctl.volume != round(alarm.volume * (n - 1) / steps):
                    return  # snoozed, stopped, or the volume was turned by hand
                await ctl.submit(c.SetVolume(volume=round(alarm.volume * n / steps)))
            if steps == 0:
                await ctl.submit(c.SetVolume(volume=alarm.volume))
        finally:
            self.fading = False

    # -- what plays -----------------------------------------------------------------------
    async def _start(self, play: AlarmPlay) -> bool:
        if play.kind is PlayKind.RESUME:
            if not self.controller.queue.entries:
                return False
            if self.controller.state is PlayState.PLAYING:
                return True
            return await self._play_and_watch(c.Play())
        try:
            tracks = await self._tracks_for(play)
        except (CacheError, OSError, sqlite3.Error):  # the fallback, never silence
            log.exception("the alarm's %s %s could not be read", play.kind, play.ref)
            tracks = []
        return bool(tracks) and await self._play_tracks(tracks)

    async def _fall_back(self, alarm: Alarm) -> bool:
        wanted = alarm.play.ref or "the queue"
        tried: set[str] = {alarm.play.ref} if alarm.play.kind is PlayKind.ALBUM else set()
        albums, _ = await self._library.albums("", 0, _FALLBACK_LOOKS)
        for found in albums:
            if found.available_offline is not Availability.FULL or found.id in tried:
                continue
            album = await self._library.album(found.id)
            if album is None or not album.tracks:
                continue
            log.warning("alarm %s: %s would not play; playing %s", alarm.id, wanted, album.title)
            if await self._play_tracks(list(album.tracks)):
                message = (
                    f"The {alarm.time} alarm could not play what it was set to "
                    f"(the network or its source is down): playing “{album.title}” instead."
                )
                self._publish(AlarmProblem(alarm.id, "alarm_fallback", message))
                return True
            tried.add(found.id)
        return False

    async def _play_tracks(self, tracks: list[Track]) -> bool:
        return await self._play_and_watch(
            c.QueueAdd(tuple(tracks), c.QueueMode.REPLACE, 0, play=True)
        )

    async def _play_and_watch(self, command: c.Command) -> bool:
        """Send `command`; True once a track began, False if playback stopped or never began."""
        self._started.clear()
        await self.controller.submit(command)
        if self.controller.state is PlayState.STOPPED:
            return False
        self._stopped.clear()  # from here on a stop means it would not play (no await before)
        if isinstance(command, c.Play) and self.controller.state is PlayState.PLAYING:
            return True  # a paused track resumed: nothing has to load
        return await self._first_of_started_or_stopped()

    async def _first_of_started_or_stopped(self) -> bool:
        timeout = self._timings.start_timeout
        await first_done(self._started.wait(), self._stopped.wait(), limit=timeout)
        return self._started.is_set() and self.controller.state is not PlayState.STOPPED

    # -- listeners (in the controller's task: only note) -------------------------------------
    def _on_play(self, event: pe.PlayEvent) -> None:
        if isinstance(event, pe.TrackStarted):
            self._started.set()

    def _on_change(self, what: str) -> None:
        if what == "player" and self.controller.state is PlayState.STOPPED:
            self._stopped.set()
