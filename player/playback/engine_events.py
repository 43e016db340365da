"""The controller's handling of the engine's events: starts (gapless ones included), ends and
errors (skipping unplayable tracks), position, duration and pause changes; and the play events
(player/playback/playevents.py) that follow from them.

Each runs on the controller's task (see PlayerController.run), one at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from cache.models import SourceKind
from player.engine.base import (
    DurationKnown,
    EndReason,
    EngineFailed,
    Finished,
    PauseChanged,
    PositionChanged,
    Started,
    TitleChanged,
)
from player.playback import commands as c
from player.playback import playevents as pe
from player.playback.commands import PlayState
from player.playback.engine_link import entry_of
from player.playback.queue import QueueError, Repeat
from player.playback.resolve import PlayingFrom

if TYPE_CHECKING:
    from player.playback.controller import PlayerController

log = logging.getLogger(__name__)


class EngineDiedError(RuntimeError):
    """The engine reported that it can no longer play; the service must restart."""


async def on_started(ctl: PlayerController, ev: Started) -> None:
    if ev.token == ctl.link.next:
        try:
            ctl.queue.index = ctl.queue.position_of(entry_of(ev.token))
        except QueueError:
            return
        ctl.playing_from = ctl.link.playing_from(ev.token)  # resolved when it was queued
        ctl.link.advance()
        ctl.position, ctl.duration = 0.0, None if is_live(ctl) else ev.duration
        ctl.stream_title = None
        ctl.failures_in_row = 0
        ctl.notify("queue")
        ctl.notify("player")
        begin_play(ctl, ev.token)
        await ctl.sync_next()
    elif ev.token == ctl.link.current:
        if ev.duration is not None and not is_live(ctl):
            ctl.duration = ev.duration
            ctl.notify("player")
        begin_play(ctl, ev.token)


# Tracks in a row that could not play before playback stops: a 20,000-entry queue of streams with
# the server away is not walked to its end (a skip each, an error toast each, a deep recursion).
MAX_SKIPS_IN_ROW = 50


async def on_finished(ctl: PlayerController, ev: Finished) -> None:
    if ev.token != ctl.link.current:
        return
    end = _ENDED_BY[ev.reason]
    ctl.plays.ended(end, position=end_position(ctl, ev.reason), token=ev.token)
    if ev.reason is EndReason.ERROR:
        log.warning("could not play %s: %s", ev.token, ev.error)
        ctl.failures_in_row += 1
        gave_up = ctl.failures_in_row >= max(1, min(len(ctl.queue.entries), MAX_SKIPS_IN_ROW))
        ctl.report_unplayable(ev.error or "loading failed", skipped=not gave_up)
        if gave_up:
            await ctl.stop_playback(c.Stop())
            return
        await skip_after_error(ctl)
    elif ctl.link.next is None:
        await end_of_queue(ctl)


async def skip_after_error(ctl: PlayerController) -> None:
    following = ctl.queue.following(Repeat.ALL if ctl.repeat is Repeat.ALL else Repeat.OFF)
    if following is None:
        await end_of_queue(ctl)
    else:
        await ctl.go_to(following)


async def end_of_queue(ctl: PlayerController) -> None:
    ctl.link.clear()
    ctl.position = 0.0
    ctl.playing_from = None
    ctl.set_state(PlayState.STOPPED)


async def on_position(ctl: PlayerController, ev: PositionChanged) -> None:
    ctl.position = ev.position
    now = ctl.clock()
    if now - ctl.last_tick >= 1.0:
        ctl.last_tick = now
        ctl.notify("player")


async def on_duration(ctl: PlayerController, ev: DurationKnown) -> None:
    # A live stream has no length: mpv's guess from the bytes so far would make it seekable.
    if ev.token == ctl.link.current and not is_live(ctl):
        ctl.duration = ev.duration
        ctl.notify("player")


async def on_pause_changed(ctl: PlayerController, ev: PauseChanged) -> None:
    if ctl.state is not PlayState.STOPPED:
        ctl.set_state(PlayState.PAUSED if ev.paused else PlayState.PLAYING)


async def on_title(ctl: PlayerController, ev: TitleChanged) -> None:
    if ev.title != ctl.stream_title:
        ctl.stream_title = ev.title
        ctl.notify("player")


async def on_engine_failed(ctl: PlayerController, ev: EngineFailed) -> None:
    raise EngineDiedError(ev.message)


def is_live(ctl: PlayerController) -> bool:
    """The current entry is a radio station (a stream without an end)."""
    entry = ctl.queue.current
    return entry is not None and entry.source is SourceKind.RADIO


def begin_play(ctl: PlayerController, token: str) -> None:
    """The engine started `token`: tell play listeners once per token."""
    try:
        entry = ctl.queue.entries[ctl.queue.position_of(entry_of(token))]
    except QueueError:
        return  # removed from the queue before the engine got to it
    from_local = ctl.playing_from is PlayingFrom.LOCAL
    paused = ctl.state is PlayState.PAUSED
    ctl.plays.started(
        token,
        entry.entry_id,
        entry.item,
        position=ctl.position,
        from_local=from_local,
        paused=paused,
    )


def end_position(ctl: PlayerController, reason: EndReason) -> float:
    if reason is EndReason.EOF and ctl.duration is not None:
        return ctl.duration
    return ctl.position


_ENDED_BY = {
    EndReason.EOF: pe.TrackEndReason.FINISHED,
    EndReason.ERROR: pe.TrackEndReason.ERROR,
    EndReason.STOPPED: pe.TrackEndReason.STOPPED,
}

Handler = Callable[["PlayerController", Any], Coroutine[Any, Any, None]]
ENGINE_HANDLERS: dict[type, Handler] = {
    Started: on_started,
    Finished: on_finished,
    PositionChanged: on_position,
    DurationKnown: on_duration,
    PauseChanged: on_pause_changed,
    TitleChanged: on_title,
    EngineFailed: on_engine_failed,
}
