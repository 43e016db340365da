"""What a Jellyfin app asks of us over `/socket`, as typed requests (ecosystem.md §2).

The server wraps every message in `{"MessageType", "MessageId", "Data"}` (PascalCase, enums as
strings, GUIDs as 32 hex digits, GeneralCommand arguments as strings). `parse_message` turns one
text frame into a request, None for a message we have no use for, or raises RemoteMessageError: the
server is on the LAN, not trusted to be well-formed, so nothing here may raise anything else.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from cache.errors import CacheError
from cache.events import CacheEvent
from cache.jellyfin.playstate import TICKS_PER_SECOND, RepeatMode
from cache.jellyfin.remote.display import DisplayMessage as DisplayMessage  # its home: display.py
from cache.models import ItemId

E = TypeVar("E", bound=StrEnum)
MAX_ITEMS = 10_000  # a Play naming more is cut here: a queue past this is no use on a speaker
MAX_TEXT = 500  # characters of a DisplayMessage kept for the page

# Messages the server sends to every session that a speaker can ignore without a word.
QUIET_TYPES = frozenset(
    {
        "KeepAlive",
        "UserDataChanged",
        "LibraryChanged",
        "RefreshProgress",
        "ScheduledTasksInfo",
        "ActivityLogEntry",
        "Sessions",
        "ServerRestarting",
        "ServerShuttingDown",
        "SyncPlayGroupUpdate",
        "SyncPlayCommand",
        "UserUpdated",
        "PackageInstalling",
        "PackageInstallationCompleted",
        "PlaybackStart",
        "PlaybackStopped",
        "TimerCreated",
        "TimerCancelled",
    }
)


class RemoteMessageError(CacheError, ValueError):
    """A socket message that cannot be understood (logged and ignored by the session)."""

    code = "bad_request"
    http_status = 400


class PlayCommand(StrEnum):
    PLAY_NOW = "PlayNow"
    PLAY_NEXT = "PlayNext"
    PLAY_LAST = "PlayLast"
    PLAY_INSTANT_MIX = "PlayInstantMix"
    PLAY_SHUFFLE = "PlayShuffle"


class PlaystateCommand(StrEnum):
    STOP = "Stop"
    PAUSE = "Pause"
    UNPAUSE = "Unpause"
    PLAY_PAUSE = "PlayPause"
    NEXT_TRACK = "NextTrack"
    PREVIOUS_TRACK = "PreviousTrack"
    SEEK = "Seek"
    REWIND = "Rewind"
    FAST_FORWARD = "FastForward"


class MuteChange(StrEnum):
    MUTE = "Mute"
    UNMUTE = "Unmute"
    TOGGLE = "ToggleMute"


@dataclass(frozen=True, slots=True)
class KeepAliveAsked(CacheEvent):
    """`ForceKeepAlive`: the server drops a socket silent for `timeout` seconds."""

    timeout: float


@dataclass(frozen=True, slots=True)
class PlayItems(CacheEvent):
    """`Play`: put tracks in the queue (the server already expanded albums into tracks)."""

    item_ids: tuple[ItemId, ...]
    command: PlayCommand
    start_index: int = 0
    start_position: float | None = None  # seconds


@dataclass(frozen=True, slots=True)
class PlaystateRequest(CacheEvent):
    command: PlaystateCommand
    seek_position: float | None = None  # seconds, never negative


@dataclass(frozen=True, slots=True)
class SetVolumeRequest(CacheEvent):
    level: int  # 0..100


@dataclass(frozen=True, slots=True)
class StepVolumeRequest(CacheEvent):
    up: bool


@dataclass(frozen=True, slots=True)
class MuteRequest(CacheEvent):
    change: MuteChange


@dataclass(frozen=True, slots=True)
class RepeatRequest(CacheEvent):
    mode: RepeatMode


@dataclass(frozen=True, slots=True)
class ShuffleRequest(CacheEvent):
    shuffle: bool


RemoteRequest = (
    PlayItems
    | PlaystateRequest
    | SetVolumeRequest
    | StepVolumeRequest
    | MuteRequest
    | RepeatRequest
    | ShuffleRequest
    | DisplayMessage
)
Parsed = RemoteRequest | KeepAliveAsked | None


def parse_message(text: str) -> Parsed:
    """One socket frame as a request; None when it is of no interest (see QUIET_TYPES)."""
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise RemoteMessageError(f"not JSON: {err}") from err
    if not isinstance(envelope, dict):
        raise RemoteMessageError("not a JSON object")
    kind = envelope.get("MessageType")
    if not isinstance(kind, str):
        raise RemoteMessageError("no MessageType")
    data = envelope.get("Data")
    if kind == "ForceKeepAlive":
        return KeepAliveAsked(_number(data, "ForceKeepAlive Data", low=1.0))
    if kind == "Play":
        return _play(_object(data, "Play"))
    if kind == "Playstate":
        return _playstate(_object(data, "Playstate"))
    if kind == "GeneralCommand":
        return general_command(_object(data, "GeneralCommand"))
    if kind in QUIET_TYPES:
        return None
    raise RemoteMessageError(f"unknown MessageType {kind[:40]!r}")


def _play(data: Mapping[str, Any]) -> PlayItems:
    raw_ids = data.get("ItemIds")
    if not isinstance(raw_ids, list) or not raw_ids:
        raise RemoteMessageError("Play without ItemIds")
    ids = tuple(_item_id(i) for i in raw_ids[:MAX_ITEMS])
    command = _enum(PlayCommand, data.get("PlayCommand"), "PlayCommand")
    start = data.get("StartIndex")
    start_index = 0 if start is None else int(_number(start, "StartIndex", low=0))
    if start_index >= len(ids):
        raise RemoteMessageError(f"StartIndex {start_index} is past the {len(ids)} items")
    ticks = data.get("StartPositionTicks")
    position = (
        None if ticks is None else _number(ticks, "StartPositionTicks", low=0) / TICKS_PER_SECOND
    )
    return PlayItems(ids, command, start_index, position or None)


def _playstate(data: Mapping[str, Any]) -> PlaystateRequest:
    command = _enum(PlaystateCommand, data.get("Command"), "Playstate Command")
    ticks = data.get("SeekPositionTicks")
    if command is PlaystateCommand.SEEK and ticks is None:
        raise RemoteMessageError("Seek without SeekPositionTicks")
    if ticks is None or command is not PlaystateCommand.SEEK:
        return PlaystateRequest(command)
    return PlaystateRequest(command, _number(ticks, "SeekPositionTicks", low=0) / TICKS_PER_SECOND)


def general_command(data: Mapping[str, Any]) -> RemoteRequest | None:
    """A GeneralCommand (`{"Name", "Arguments"}`); None for one a speaker does not do."""
    name = data.get("Name")
    args = data.get("Arguments") or {}
    if not isinstance(name, str) or not isinstance(args, dict):
        raise RemoteMessageError("GeneralCommand without a Name")
    if name == "SetVolume":
        level = _number(args.get("Volume"), "Volume", low=0)
        if level > 100:
            raise RemoteMessageError(f"Volume {level} is over 100")
        return SetVolumeRequest(round(level))
    if name in ("VolumeUp", "VolumeDown"):
        return StepVolumeRequest(up=name == "VolumeUp")
    if name in MuteChange.__members__.values():
        return MuteRequest(MuteChange(name))
    if name == "SetRepeatMode":
        return RepeatRequest(_enum(RepeatMode, args.get("RepeatMode"), "RepeatMode"))
    if name == "SetShuffleQueue":
        mode = args.get("ShuffleMode")
        if mode not in ("Sorted", "Shuffle"):
            raise RemoteMessageError(f"ShuffleMode {str(mode)[:20]!r} is not Sorted or Shuffle")
        return ShuffleRequest(shuffle=mode == "Shuffle")
    if name == "DisplayMessage":
        return DisplayMessage(_text(args.get("Header")), _text(args.get("Text")))
    return None


def _object(data: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise RemoteMessageError(f"{what} without a Data object")
    return data


def _number(value: Any, what: str, *, low: float) -> float:
    """A finite number >= low; numbers may come as strings (GeneralCommand arguments always do)."""
    if isinstance(value, bool):
        raise RemoteMessageError(f"{what} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError) as err:
        raise RemoteMessageError(f"{what} {str(value)[:20]!r} is not a number") from err
    if not math.isfinite(number) or number < low:
        raise RemoteMessageError(f"{what} {str(value)[:20]!r} is out of range")
    return number


def _item_id(value: Any) -> ItemId:
    """A GUID as the catalogue keeps it: 32 lowercase hex digits (dashed ones are accepted)."""
    if not isinstance(value, str):
        raise RemoteMessageError("an item id is not a string")
    clean = value.replace("-", "").lower()
    if len(clean) != 32 or any(c not in "0123456789abcdef" for c in clean):
        raise RemoteMessageError(f"{value[:40]!r} is not an item id")
    return ItemId(clean)


def _enum(kind: type[E], value: Any, what: str) -> E:
    try:
        return kind(value)
    except (TypeError, ValueError) as err:
        raise RemoteMessageError(f"{what} {str(value)[:30]!r} is not known") from err


def _text(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""
