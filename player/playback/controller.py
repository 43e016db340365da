"""PlayerController: the single owner of playback and queue state.

Commands (from buttons, the API, the CLI) and engine events go through one inbox and are handled
strictly in order by one task, so no state here needs a lock.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from cache.models import Track
from player.engine.base import (
    EndReason,
    Engine,
    EngineEvent,
    Finished,
)
from player.playback import commands as c
from player.playback import engine_events, queue_commands
from player.playback import playevents as pe
from player.playback.commands import PlayState
from player.playback.engine_link import EngineLink
from player.playback.problems import UNAVAILABLE, ProblemListener, TrackUnplayable
from player.playback.queue import PlayQueue, Repeat
from player.playback.resolve import PlayingFrom, Resolver

log = logging.getLogger(__name__)

EngineDiedError = engine_events.EngineDiedError  # raised out of run(): the service restarts
ChangeListener = Callable[[str], None]  # "player" or "queue"


class PlayerController:
    """Handles one command or engine event at a time; see `submit`."""

    def __init__(
        self,
        engine: Engine,
        resolver: Resolver,
        *,
        volume: int = 70,
        previous_restart_after: float = 3.0,
        queue: PlayQueue | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.link = EngineLink(engine, resolver)
        self.queue = queue or PlayQueue()
        self.state = PlayState.STOPPED
        self.position = 0.0
        self.duration: float | None = None
        self.volume = volume
        self.muted = False
        self.repeat = Repeat.OFF
        self.shuffle = False
        self.playing_from: PlayingFrom | None = None
        self._previous_restart_after = previous_restart_after
        self.clock = clock
        self._inbox: asyncio.Queue[tuple[Any, asyncio.Future[None] | None]] = asyncio.Queue()
        self._listeners: list[ChangeListener] = []
        self.plays = pe.PlayTracker()
        self._problem_listeners: list[ProblemListener] = []
        self.failures_in_row = 0
        self.last_tick = 0.0
        # Where a track started from its top begins instead (long tracks: player/timers/).
        self.start_at: Callable[[Track], float | None] = _from_the_top
        self.stream_title: str | None = None  # a live stream's own title (radio's ICY title)
        # The Player object's item (a radio station shows as one: player/radio/).
        self.item_json: Callable[[Track, str | None], dict[str, Any]] = _track_json

    @property
    def engine(self) -> Engine:
        return self.link.engine

    @property
    def resolver(self) -> Resolver:
        return self.link.resolver

    # -- wiring ---------------------------------------------------------------------------
    def add_listener(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def add_play_listener(self, listener: pe.PlayListener) -> None:
        """Also hear each track's start, pauses, seeks and end (see player/playevents.py)."""
        self.plays.add_listener(listener)

    def add_problem_listener(self, listener: ProblemListener) -> None:
        """Also hear of tracks that could not play (the page's error toast)."""
        self._problem_listeners.append(listener)

    def report_unplayable(self, reason: str, *, skipped: bool) -> None:
        entry = self.queue.current
        if entry is None:
            return
        problem = TrackUnplayable(entry.item.id, entry.item.title, reason, skipped)
        for listener in self._problem_listeners:
            listener(problem)

    def engine_sink(self, event: EngineEvent) -> None:
        """The engine's event sink (called on the loop thread)."""
        self._inbox.put_nowait((event, None))

    async def submit(self, command: c.Command) -> None:
        """Queue `command` and wait until it took effect. Errors of the command are raised here."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._inbox.put_nowait((command, fut))
        await fut

    def submit_nowait(self, command: c.Command) -> None:
        """Fire and forget, for buttons: errors are logged, not raised."""
        self._inbox.put_nowait((command, None))

    async def run(self) -> None:
        """The inbox loop; a critical task for the life of the service."""
        await self.engine.start(self.engine_sink)
        while True:
            item, fut = await self._inbox.get()
            try:
                await self._handle(item)
            except EngineDiedError:
                raise
            except Exception as err:
                if fut is None:
                    log.exception("could not handle %r", item)
                elif not fut.done():
                    fut.set_exception(err)
                continue
            if fut is not None and not fut.done():
                fut.set_result(None)

    # -- snapshots ----------------------------------------------------------------------------
    def player_json(self) -> dict[str, Any]:
        current = self.queue.current
        return {
            "state": str(self.state),
            "item": self.item_json(current.item, self.stream_title)
            if current and self.state != PlayState.STOPPED
            else None,
            "position": round(self.position, 3),
            "duration": self.duration
            if self.duration is not None
            else (current.duration if current else None),
            "volume": self.volume,
            "muted": self.muted,
            "repeat": str(self.repeat),
            "shuffle": self.shuffle,
            "queue_index": self.queue.index,
            "playing_from": str(self.playing_from) if self.playing_from else None,
        }

    def notify(self, what: str) -> None:
        for listener in self._listeners:
            listener(what)

    # -- dispatch -----------------------------------------------------------------------------
    async def _handle(self, item: Any) -> None:
        handler = self._handlers().get(type(item))
        if handler is None:
            raise TypeError(f"no handler for {type(item).__name__}")
        await handler(item)

    def _handlers(self) -> dict[type, Callable[[Any], Any]]:
        own: dict[type, Callable[[Any], Any]] = {
            c.Play: self._play,
            c.Pause: self._pause,
            c.Toggle: self._toggle,
            c.Stop: self.stop_playback,
            c.Next: self._next,
            c.Previous: self._previous,
            c.Seek: self._seek,
            c.SetVolume: self._set_volume,
            c.SetOptions: self._set_options,
        }
        for table in (queue_commands.QUEUE_HANDLERS, engine_events.ENGINE_HANDLERS):
            own.update({kind: functools.partial(handler, self) for kind, handler in table.items()})
        return own

    # -- transport commands -------------------------------------------------------------------
    async def _play(self, _: c.Play) -> None:
        if self.state is PlayState.PAUSED:
            await self.engine.set_paused(False)
            self.set_state(PlayState.PLAYING)
        elif self.state is PlayState.STOPPED and self.queue.entries:
            if self.queue.index is None:
                self.queue.jump(0)
            await self.start_current(self.position)

    async def _pause(self, _: c.Pause) -> None:
        if self.state is PlayState.PLAYING:
            await self.engine.set_paused(True)
            self.refresh_position()
            self.set_state(PlayState.PAUSED)

    async def _toggle(self, _: c.Toggle) -> None:
        await (self._pause(c.Pause()) if self.state is PlayState.PLAYING else self._play(c.Play()))

    async def stop_playback(self, _: c.Stop) -> None:
        self.end_play(pe.TrackEndReason.STOPPED)
        await self.engine.stop()
        self.link.clear()
        self.position = 0.0
        self.playing_from = None
        self.set_state(PlayState.STOPPED)

    async def _next(self, _: c.Next) -> None:
        index = self.queue.index
        if index is None:
            return
        if index + 1 < len(self.queue.entries):
            await self.go_to(index + 1)
        elif self.repeat is Repeat.ALL:
            await self.go_to(0)
        else:
            self.end_play(pe.TrackEndReason.SKIPPED)
            await self.stop_playback(c.Stop())

    async def _previous(self, _: c.Previous) -> None:
        self.refresh_position()
        index = self.queue.index
        if index is None:
            return
        if self.position > self._previous_restart_after or index == 0:
            await self._seek(c.Seek(0.0))
        else:
            await self.go_to(index - 1)

    async def _seek(self, cmd: c.Seek) -> None:
        # NaN compares false with everything, so `< 0` alone let it through to mpv and the API.
        if not math.isfinite(cmd.position) or cmd.position < 0:
            raise ValueError("position must be a finite number, 0 or more")
        if self.state is PlayState.STOPPED:
            self.position = cmd.position
        else:
            await self.engine.seek(cmd.position)
            self.position = cmd.position
            self.plays.changed(pe.Seeked, cmd.position)
        self.notify("player")

    async def _set_volume(self, cmd: c.SetVolume) -> None:
        target = cmd.volume if cmd.volume is not None else self.volume + (cmd.delta or 0)
        self.volume = max(0, min(100, target))
        await self.engine.set_volume(self.volume)
        self.notify("player")

    async def _set_options(self, cmd: c.SetOptions) -> None:
        if cmd.muted is not None:
            self.muted = cmd.muted
            await self.engine.set_muted(cmd.muted)
        if cmd.repeat is not None:
            self.repeat = cmd.repeat
        reshuffled = cmd.shuffle is not None and cmd.shuffle != self.shuffle
        if reshuffled:
            self.shuffle = bool(cmd.shuffle)
            self.queue.set_shuffle(self.shuffle)
        await self.sync_next()
        # Both changes are told together, after the engine's await, so every listener (an MPD
        # client in idle) hears one command's changes at once.
        if reshuffled:
            self.notify("queue")
        self.notify("player")

    # -- queue commands -----------------------------------------------------------------------
    # -- engine events ------------------------------------------------------------------------
    # -- helpers ------------------------------------------------------------------------------
    async def go_to(self, index: int) -> None:
        self.queue.jump(index)
        self.notify("queue")
        paused = self.state is PlayState.PAUSED
        await self.start_current(0.0, paused=paused)

    async def start_current(self, start: float, *, paused: bool = False) -> None:
        self.end_play(pe.TrackEndReason.SKIPPED)  # whatever played is being replaced
        entry = self.queue.current
        if entry is None:
            return
        if start == 0.0:
            start = self.start_at(entry.item) or 0.0
        self.stream_title = None
        following = self.queue.following(self.repeat)
        playing_from = await self.link.play(
            entry, self.queue.entries[following] if following is not None else None,
            start=start, paused=paused,
        )  # fmt: skip
        if playing_from is None:
            log.info("%s is not playable now (offline and not on disk)", entry.item.title)
            current = self.link.current or ""
            await engine_events.on_finished(self, Finished(current, EndReason.ERROR, UNAVAILABLE))
            return
        self.position, self.duration = start, entry.item.duration or None
        self.playing_from = playing_from
        self.set_state(PlayState.PAUSED if paused else PlayState.PLAYING)

    async def sync_next(self) -> None:
        """After the queue or repeat changed, make the engine's next item match the queue."""
        following = self.queue.following(self.repeat)
        await self.link.sync_next(self.queue.entries[following] if following is not None else None)

    def refresh_position(self) -> None:
        pos = self.engine.position()
        if pos is not None:
            self.position = pos

    def set_state(self, state: PlayState) -> None:
        previous, self.state = self.state, state
        if {previous, state} == {PlayState.PLAYING, PlayState.PAUSED}:
            change = pe.Paused if state is PlayState.PAUSED else pe.Resumed
            self.plays.changed(change, self.position)
        self.notify("player")

    # -- play events --------------------------------------------------------------------------
    def end_play(self, reason: pe.TrackEndReason) -> None:
        """The open play (if any) ends by a command, where it is now."""
        if self.plays.open:
            live = self.engine.position()
            self.plays.ended(reason, position=live if live is not None else self.position)


def _from_the_top(_: Track) -> float | None:
    return None


def _track_json(track: Track, _stream_title: str | None) -> dict[str, Any]:
    return track.to_json()
