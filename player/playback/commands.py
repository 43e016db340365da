"""Typed commands for the PlayerController inbox. Buttons, the API and the CLI all send these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from cache.models import Track
from player.playback.entry import Entry
from player.playback.queue import Repeat


class PlayState(StrEnum):
    PLAYING = "playing"
    PAUSED = "paused"
    STOPPED = "stopped"


class QueueMode(StrEnum):
    REPLACE = "replace"
    APPEND = "append"
    NEXT = "next"


@dataclass(frozen=True, slots=True)
class Play:
    pass


@dataclass(frozen=True, slots=True)
class Pause:
    pass


@dataclass(frozen=True, slots=True)
class Toggle:
    pass


@dataclass(frozen=True, slots=True)
class Stop:
    pass


@dataclass(frozen=True, slots=True)
class Next:
    pass


@dataclass(frozen=True, slots=True)
class Previous:
    pass


@dataclass(frozen=True, slots=True)
class Seek:
    position: float


@dataclass(frozen=True, slots=True)
class SetVolume:
    volume: int | None = None
    delta: int | None = None


@dataclass(frozen=True, slots=True)
class SetOptions:
    repeat: Repeat | None = None
    shuffle: bool | None = None
    muted: bool | None = None


@dataclass(frozen=True, slots=True)
class QueueAdd:
    tracks: tuple[Track, ...]
    mode: QueueMode
    start_index: int = 0
    play: bool = False
    # Told the entries the add made, as it makes them (an MPD client's `addid` answers their ids).
    added: Callable[[tuple[Entry, ...]], None] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class QueueRemove:
    entry_id: str


@dataclass(frozen=True, slots=True)
class QueueMove:
    entry_id: str
    to: int


@dataclass(frozen=True, slots=True)
class QueueJump:
    index: int


@dataclass(frozen=True, slots=True)
class QueueClear:
    pass


@dataclass(frozen=True, slots=True)
class Restore:
    """Put back a checkpointed session after a restart or power cut."""

    entries: tuple[tuple[str, Track], ...]  # (entry_id, track)
    index: int | None
    version: int
    position: float
    start: PlayState  # PLAYING resumes sound, PAUSED loads paused, STOPPED only restores the queue
    volume: int
    muted: bool
    repeat: Repeat
    shuffle: bool


@dataclass(frozen=True, slots=True)
class CopyLanded:
    """A download completed: the next track, queued to stream, may play its local copy now."""

    item_id: str


Command = (
    Play
    | Pause
    | Toggle
    | Stop
    | Next
    | Previous
    | Seek
    | SetVolume
    | SetOptions
    | QueueAdd
    | QueueRemove
    | QueueMove
    | QueueJump
    | QueueClear
    | Restore
    | CopyLanded
)
