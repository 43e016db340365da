"""A Jellyfin app's requests as the player's own typed Commands (pure: no I/O, no asyncio).

The rules follow jellyfin-web's session player: "play next" goes right after the current track,
"add to queue" at the end; Rewind and FastForward skip 10 s back and 30 s ahead (its defaults);
a SetVolume that changes nothing is dropped, because controllers resend it often.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass

from cache.jellyfin.playstate import RepeatMode
from cache.jellyfin.remote.messages import (
    MuteChange,
    MuteRequest,
    PlayCommand,
    PlayItems,
    PlaystateCommand,
    PlaystateRequest,
    RemoteRequest,
    RepeatRequest,
    SetVolumeRequest,
    ShuffleRequest,
    StepVolumeRequest,
)
from cache.models import ItemId, Track
from player.playback import commands as c
from player.playback.commands import PlayState
from player.playback.queue import Repeat

log = logging.getLogger(__name__)

VOLUME_STEP = 5
REWIND_SECONDS = 10.0
FAST_FORWARD_SECONDS = 30.0
REPEAT_OF = {RepeatMode.NONE: Repeat.OFF, RepeatMode.ALL: Repeat.ALL, RepeatMode.ONE: Repeat.ONE}


@dataclass(frozen=True, slots=True)
class PlayerView:
    """The little of the player's state the translation needs."""

    state: PlayState
    position: float
    duration: float | None
    volume: int
    muted: bool
    queue_length: int


def play_commands(
    request: PlayItems, tracks: Sequence[Track], unknown: Sequence[ItemId], view: PlayerView
) -> list[c.Command]:
    """The queue change for a Play whose known tracks are `tracks` (in order, unknown ids left out)."""
    if not tracks:
        return []
    if request.command in (PlayCommand.PLAY_NEXT, PlayCommand.PLAY_LAST):
        mode = c.QueueMode.NEXT if request.command is PlayCommand.PLAY_NEXT else c.QueueMode.APPEND
        idle = view.queue_length == 0 and view.state is PlayState.STOPPED
        return [c.QueueAdd(tuple(tracks), mode, play=idle)]  # an idle speaker starts playing
    ordered = list(tracks)
    start = start_among_known(request.item_ids, request.start_index, set(unknown), len(ordered))
    if request.command is PlayCommand.PLAY_SHUFFLE:
        random.shuffle(ordered)
        start = 0
    commands: list[c.Command] = [c.QueueAdd(tuple(ordered), c.QueueMode.REPLACE, start, play=True)]
    if request.start_position:
        commands.append(c.Seek(request.start_position))
    return commands


def start_among_known(
    ids: Sequence[ItemId], start_index: int, unknown: set[ItemId], known_count: int
) -> int:
    """Where the app's StartIndex lands once unknown ids are left out (the next known one)."""
    before = sum(1 for i in ids[:start_index] if i not in unknown)
    return min(before, known_count - 1)


def commands_for(request: RemoteRequest, view: PlayerView) -> list[c.Command]:
    """The commands for every request but Play and DisplayMessage; [] when nothing is to change."""
    if isinstance(request, PlaystateRequest):
        return _playstate(request, view)
    if isinstance(request, SetVolumeRequest):
        return [] if request.level == view.volume else [c.SetVolume(volume=request.level)]
    if isinstance(request, StepVolumeRequest):
        return [c.SetVolume(delta=VOLUME_STEP if request.up else -VOLUME_STEP)]
    if isinstance(request, MuteRequest):
        muted = (
            not view.muted
            if request.change is MuteChange.TOGGLE
            else request.change is MuteChange.MUTE
        )
        return [c.SetOptions(muted=muted)]
    if isinstance(request, RepeatRequest):
        return [c.SetOptions(repeat=REPEAT_OF[request.mode])]
    if isinstance(request, ShuffleRequest):
        return [c.SetOptions(shuffle=request.shuffle)]
    return []


_SIMPLE: dict[PlaystateCommand, c.Command] = {
    PlaystateCommand.STOP: c.Stop(),
    PlaystateCommand.PAUSE: c.Pause(),
    PlaystateCommand.UNPAUSE: c.Play(),
    PlaystateCommand.PLAY_PAUSE: c.Toggle(),
    PlaystateCommand.NEXT_TRACK: c.Next(),
    PlaystateCommand.PREVIOUS_TRACK: c.Previous(),
}


def _playstate(request: PlaystateRequest, view: PlayerView) -> list[c.Command]:
    simple = _SIMPLE.get(request.command)
    if simple is not None:
        return [simple]
    if view.state is PlayState.STOPPED:
        return []  # nothing plays: a seek has nothing to move
    if request.command is PlaystateCommand.REWIND:
        return [c.Seek(max(0.0, view.position - REWIND_SECONDS))]
    if request.command is PlaystateCommand.FAST_FORWARD:
        target = view.position + FAST_FORWARD_SECONDS
        past_end = view.duration is not None and target >= view.duration
        return [c.Next()] if past_end else [c.Seek(target)]
    position = request.seek_position or 0.0
    if view.duration is not None and position > view.duration:
        log.warning(
            "ignored a Jellyfin seek to %.1f s, past the track's end (%.1f s)",
            position,
            view.duration,
        )
        return []
    return [c.Seek(position)]
