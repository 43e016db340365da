"""PlayerController: the single owner of playback and queue state.

Commands (from buttons, the API, the CLI) and engine events go through one inbox and are handled
strictly in order by one task, so no state here needs a lock.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from player.engine.base import (
    DurationKnown,
    EndReason,
    Engine,
    EngineEvent,
    EngineFailed,
    Finished,
    MediaRef,
    PauseChanged,
    PositionChanged,
    Started,
)
from player.playback import commands as c
from player.playback import playevents as pe
from player.playback.commands import PlayState
from player.playback.problems import UNAVAILABLE, ProblemListener, TrackUnplayable
from player.playback.queue import Entry, EntryId, PlayQueue, QueueError, Repeat
from player.playback.resolve import PlayingFrom, Resolver

log = logging.getLogger(__name__)

ChangeListener = Callable[[str], None]  # "player" or "queue"


class EngineDiedError(RuntimeError):
    """The engine reported that it can no longer play; the service must restart."""


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
        self.engine = engine
        self.resolver = resolver
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
        self._clock = clock
        self._inbox: asyncio.Queue[tuple[Any, asyncio.Future[None] | None]] = asyncio.Queue()
        self._listeners: list[ChangeListener] = []
        self._plays = pe.PlayTracker()
        self._problem_listeners: list[ProblemListener] = []
        self._engine_current: str | None = None  # token of what the engine plays
        self._engine_next: str | None = None  # token queued behind it
        self._token_serial = 0
        self._failures_in_row = 0
        self._last_tick = 0.0

    # -- wiring ---------------------------------------------------------------------------
    def add_listener(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def add_play_listener(self, listener: pe.PlayListener) -> None:
        """Also hear each track's start, pauses, seeks and end (see player/playevents.py)."""
        self._plays.add_listener(listener)

    def add_problem_listener(self, listener: ProblemListener) -> None:
        """Also hear of tracks that could not play (the page's error toast)."""
        self._problem_listeners.append(listener)

    def _report_unplayable(self, reason: str, *, skipped: bool) -> None:
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
            "item": current.item.to_json() if current and self.state != PlayState.STOPPED else None,
            "position": round(self.position, 3),
            "duration": self.duration
            if self.duration is not None
            else (current.item.duration if current else None),
            "volume": self.volume,
            "muted": self.muted,
            "repeat": str(self.repeat),
            "shuffle": self.shuffle,
            "queue_index": self.queue.index,
            "playing_from": str(self.playing_from) if self.playing_from else None,
        }

    def _notify(self, what: str) -> None:
        for listener in self._listeners:
            listener(what)

    # -- dispatch -----------------------------------------------------------------------------
    async def _handle(self, item: Any) -> None:
        handler = self._handlers().get(type(item))
        if handler is None:
            raise TypeError(f"no handler for {type(item).__name__}")
        await handler(item)

    def _handlers(self) -> dict[type, Callable[[Any], Any]]:
        return {
            c.Play: self._play,
            c.Pause: self._pause,
            c.Toggle: self._toggle,
            c.Stop: self._stop,
            c.Next: self._next,
            c.Previous: self._previous,
            c.Seek: self._seek,
            c.SetVolume: self._set_volume,
            c.SetOptions: self._set_options,
            c.QueueAdd: self._queue_add,
            c.QueueRemove: self._queue_remove,
            c.QueueMove: self._queue_move,
            c.QueueJump: self._queue_jump,
            c.QueueClear: self._queue_clear,
            c.Restore: self._restore,
            Started: self._on_started,
            Finished: self._on_finished,
            PositionChanged: self._on_position,
            DurationKnown: self._on_duration,
            PauseChanged: self._on_pause_changed,
            EngineFailed: self._on_engine_failed,
        }

    # -- transport commands -------------------------------------------------------------------
    async def _play(self, _: c.Play) -> None:
        if self.state is PlayState.PAUSED:
            await self.engine.set_paused(False)
            self._set_state(PlayState.PLAYING)
        elif self.state is PlayState.STOPPED and self.queue.entries:
            if self.queue.index is None:
                self.queue.jump(0)
            await self._start_current(self.position)

    async def _pause(self, _: c.Pause) -> None:
        if self.state is PlayState.PLAYING:
            await self.engine.set_paused(True)
            self._refresh_position()
            self._set_state(PlayState.PAUSED)

    async def _toggle(self, _: c.Toggle) -> None:
        await (self._pause(c.Pause()) if self.state is PlayState.PLAYING else self._play(c.Play()))

    async def _stop(self, _: c.Stop) -> None:
        self._end_play(pe.TrackEndReason.STOPPED)
        await self.engine.stop()
        self._engine_current = self._engine_next = None
        self.position = 0.0
        self.playing_from = None
        self._set_state(PlayState.STOPPED)

    async def _next(self, _: c.Next) -> None:
        index = self.queue.index
        if index is None:
            return
        if index + 1 < len(self.queue.entries):
            await self._go_to(index + 1)
        elif self.repeat is Repeat.ALL:
            await self._go_to(0)
        else:
            self._end_play(pe.TrackEndReason.SKIPPED)
            await self._stop(c.Stop())

    async def _previous(self, _: c.Previous) -> None:
        self._refresh_position()
        index = self.queue.index
        if index is None:
            return
        if self.position > self._previous_restart_after or index == 0:
            await self._seek(c.Seek(0.0))
        else:
            await self._go_to(index - 1)

    async def _seek(self, cmd: c.Seek) -> None:
        # NaN compares false with everything, so `< 0` alone let it through to mpv and the API.
        if not math.isfinite(cmd.position) or cmd.position < 0:
            raise ValueError("position must be a finite number, 0 or more")
        if self.state is PlayState.STOPPED:
            self.position = cmd.position
        else:
            await self.engine.seek(cmd.position)
            self.position = cmd.position
            self._plays.changed(pe.Seeked, cmd.position)
        self._notify("player")

    async def _set_volume(self, cmd: c.SetVolume) -> None:
        target = cmd.volume if cmd.volume is not None else self.volume + (cmd.delta or 0)
        self.volume = max(0, min(100, target))
        await self.engine.set_volume(self.volume)
        self._notify("player")

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
        await self._sync_next()
        # Both changes are told together, after the engine's await, so every listener (an MPD
        # client in idle) hears one command's changes at once.
        if reshuffled:
            self._notify("queue")
        self._notify("player")

    # -- queue commands -----------------------------------------------------------------------
    async def _queue_add(self, cmd: c.QueueAdd) -> None:
        was_empty = not self.queue.entries
        if cmd.mode is c.QueueMode.REPLACE:
            self.queue.replace(cmd.tracks, cmd.start_index)
            if self.shuffle:
                self.queue.set_shuffle(True)
        elif cmd.mode is c.QueueMode.APPEND:
            self.queue.append(cmd.tracks)
        else:
            self.queue.insert_next(cmd.tracks)
        self._notify("queue")
        if cmd.play or (cmd.mode is c.QueueMode.REPLACE and self.state is not PlayState.STOPPED):
            await self._start_current(0.0)
        elif was_empty and self.state is PlayState.STOPPED:
            self.position = 0.0
            self._notify("player")
        else:
            await self._sync_next()

    async def _queue_remove(self, cmd: c.QueueRemove) -> None:
        was_current = self.queue.remove(cmd.entry_id)
        self._notify("queue")
        if was_current and self.state is not PlayState.STOPPED:
            if self.queue.current is None:
                await self._stop(c.Stop())
            else:
                await self._start_current(0.0, paused=self.state is PlayState.PAUSED)
        else:
            await self._sync_next()

    async def _queue_move(self, cmd: c.QueueMove) -> None:
        self.queue.move(cmd.entry_id, cmd.to)
        self._notify("queue")
        await self._sync_next()

    async def _queue_jump(self, cmd: c.QueueJump) -> None:
        await self._go_to(cmd.index)

    async def _queue_clear(self, _: c.QueueClear) -> None:
        await self._stop(c.Stop())
        self.queue.clear()
        self._notify("queue")

    async def _restore(self, cmd: c.Restore) -> None:
        self.queue.restore(
            [Entry(EntryId(eid), t) for eid, t in cmd.entries], cmd.index, cmd.version
        )
        self.volume, self.muted = cmd.volume, cmd.muted
        self.repeat, self.shuffle = cmd.repeat, cmd.shuffle
        await self.engine.set_volume(self.volume)
        await self.engine.set_muted(self.muted)
        self.position = cmd.position
        self._notify("queue")
        if cmd.start is PlayState.STOPPED or self.queue.current is None:
            self._notify("player")
            return
        await self._start_current(cmd.position, paused=cmd.start is PlayState.PAUSED)

    # -- engine events ------------------------------------------------------------------------
    async def _on_started(self, ev: Started) -> None:
        if ev.token == self._engine_next:
            entry_id = _entry_of(ev.token)
            try:
                self.queue.index = self.queue.position_of(entry_id)
            except QueueError:
                return
            self._engine_current, self._engine_next = ev.token, None
            self.position, self.duration = 0.0, ev.duration
            self.playing_from = await self._playing_from_of_current()
            self._failures_in_row = 0
            self._notify("queue")
            self._notify("player")
            self._begin_play(ev.token)
            await self._sync_next()
        elif ev.token == self._engine_current:
            if ev.duration is not None:
                self.duration = ev.duration
                self._notify("player")
            self._begin_play(ev.token)

    async def _on_finished(self, ev: Finished) -> None:
        if ev.token != self._engine_current:
            return
        end = _ENDED_BY[ev.reason]
        self._plays.ended(end, position=self._end_position(ev.reason), token=ev.token)
        if ev.reason is EndReason.ERROR:
            log.warning("could not play %s: %s", ev.token, ev.error)
            self._failures_in_row += 1
            gave_up = self._failures_in_row >= max(1, len(self.queue.entries))
            self._report_unplayable(ev.error or "loading failed", skipped=not gave_up)
            if gave_up:
                await self._stop(c.Stop())
                return
            await self._skip_after_error()
        elif self._engine_next is None:
            await self._end_of_queue()

    async def _skip_after_error(self) -> None:
        following = self.queue.following(Repeat.ALL if self.repeat is Repeat.ALL else Repeat.OFF)
        if following is None:
            await self._end_of_queue()
        else:
            await self._go_to(following)

    async def _end_of_queue(self) -> None:
        self._engine_current = self._engine_next = None
        self.position = 0.0
        self.playing_from = None
        self._set_state(PlayState.STOPPED)

    async def _on_position(self, ev: PositionChanged) -> None:
        self.position = ev.position
        now = self._clock()
        if now - self._last_tick >= 1.0:
            self._last_tick = now
            self._notify("player")

    async def _on_duration(self, ev: DurationKnown) -> None:
        if ev.token == self._engine_current:
            self.duration = ev.duration
            self._notify("player")

    async def _on_pause_changed(self, ev: PauseChanged) -> None:
        if self.state is not PlayState.STOPPED:
            self._set_state(PlayState.PAUSED if ev.paused else PlayState.PLAYING)

    async def _on_engine_failed(self, ev: EngineFailed) -> None:
        raise EngineDiedError(ev.message)

    # -- helpers ------------------------------------------------------------------------------
    async def _go_to(self, index: int) -> None:
        self.queue.jump(index)
        self._notify("queue")
        paused = self.state is PlayState.PAUSED
        await self._start_current(0.0, paused=paused)

    async def _start_current(self, start: float, *, paused: bool = False) -> None:
        self._end_play(pe.TrackEndReason.SKIPPED)  # whatever played is being replaced
        entry = self.queue.current
        if entry is None:
            return
        resolved = await self.resolver.resolve(entry.item)
        if resolved is None:
            log.info("%s is not playable now (offline and not on disk)", entry.item.title)
            self._engine_current = self._new_token(entry.entry_id)
            await self._on_finished(Finished(self._engine_current, EndReason.ERROR, UNAVAILABLE))
            return
        token = self._new_token(entry.entry_id)
        ref = MediaRef(token, resolved.url, entry.item.duration)
        next_ref = await self._next_ref()
        await self.engine.play(ref, next_ref, start=start, paused=paused)
        self._engine_current = token
        self._engine_next = next_ref.token if next_ref else None
        self.position, self.duration = start, entry.item.duration or None
        self.playing_from = resolved.playing_from
        self._set_state(PlayState.PAUSED if paused else PlayState.PLAYING)

    async def _next_ref(self) -> MediaRef | None:
        following = self.queue.following(self.repeat)
        if following is None:
            return None
        entry = self.queue.entries[following]
        resolved = await self.resolver.resolve(entry.item)
        if resolved is None:
            return None
        return MediaRef(self._new_token(entry.entry_id), resolved.url, entry.item.duration)

    async def _sync_next(self) -> None:
        """After the queue or repeat changed, make the engine's next item match the queue."""
        if self._engine_current is None:
            return
        next_ref = await self._next_ref()
        wanted = _entry_of(next_ref.token) if next_ref else None
        have = _entry_of(self._engine_next) if self._engine_next else None
        if wanted != have:
            await self.engine.set_next(next_ref)
            self._engine_next = next_ref.token if next_ref else None

    async def _playing_from_of_current(self) -> PlayingFrom | None:
        entry = self.queue.current
        resolved = await self.resolver.resolve(entry.item) if entry else None
        return resolved.playing_from if resolved else None

    def _new_token(self, entry_id: str) -> str:
        # Tokens are unique per engine load so repeat-one can queue the same entry behind itself.
        self._token_serial += 1
        return f"{entry_id}~{self._token_serial}"

    def _refresh_position(self) -> None:
        pos = self.engine.position()
        if pos is not None:
            self.position = pos

    def _set_state(self, state: PlayState) -> None:
        previous, self.state = self.state, state
        if {previous, state} == {PlayState.PLAYING, PlayState.PAUSED}:
            change = pe.Paused if state is PlayState.PAUSED else pe.Resumed
            self._plays.changed(change, self.position)
        self._notify("player")

    # -- play events --------------------------------------------------------------------------
    def _begin_play(self, token: str) -> None:
        """The engine started `token`: tell play listeners once per token."""
        try:
            entry = self.queue.entries[self.queue.position_of(_entry_of(token))]
        except QueueError:
            return  # removed from the queue before the engine got to it
        from_local = self.playing_from is PlayingFrom.LOCAL
        paused = self.state is PlayState.PAUSED
        self._plays.started(
            token,
            entry.entry_id,
            entry.item,
            position=self.position,
            from_local=from_local,
            paused=paused,
        )

    def _end_play(self, reason: pe.TrackEndReason) -> None:
        """The open play (if any) ends by a command, where it is now."""
        if self._plays.open:
            live = self.engine.position()
            self._plays.ended(reason, position=live if live is not None else self.position)

    def _end_position(self, reason: EndReason) -> float:
        if reason is EndReason.EOF and self.duration is not None:
            return self.duration
        return self.position


_ENDED_BY = {
    EndReason.EOF: pe.TrackEndReason.FINISHED,
    EndReason.ERROR: pe.TrackEndReason.ERROR,
    EndReason.STOPPED: pe.TrackEndReason.STOPPED,
}


def _entry_of(token: str) -> str:
    return token.split("~", 1)[0]
