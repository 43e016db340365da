"""The controlscript plug-in's translation between Snapcast's player interface and tapedeck's API,
as pure functions: a tapedeck Player becomes Snapcast stream properties, and a Snapcast control
or property request becomes the tapedeck API calls that do it.

Snapcast's names are MPRIS's (playbackStatus, loopStatus, canGoNext, ...). snapserver keeps the
previous metadata when a Properties notification has none, so every set carries `metadata`, an
empty one when nothing is loaded. It also refuses `Stream.Control` itself when the matching
`can*` flag is false, so the flags say what tapedeck can do right now. 0.26 knows no `mute`
property (it logs "Property not supported"), so none is sent; a later snapserver's SetProperty
`mute` is still done.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from player.snapcast.jsonrpc import INVALID_PARAMS, RpcError

LOOP_FROM_REPEAT = {"off": "none", "all": "playlist", "one": "track"}
REPEAT_FROM_LOOP = {loop: repeat for repeat, loop in LOOP_FROM_REPEAT.items()}
STATES = frozenset({"playing", "paused", "stopped"})
TRANSPORT = {
    "play": "play",
    "pause": "pause",
    "playPause": "toggle",
    "stop": "stop",
    "next": "next",
    "previous": "previous",
}
SEEK_JUMP = 1.5  # seconds off the running clock that make a position worth announcing

# While tapedeck is unreachable: nothing to show, nothing to control (snapserver then answers
# Stream.Control itself instead of sending requests that could only fail).
OFFLINE: dict[str, Any] = {
    "playbackStatus": "stopped",
    "canGoNext": False,
    "canGoPrevious": False,
    "canPlay": False,
    "canPause": False,
    "canSeek": False,
    "canControl": False,
    "metadata": {},
}


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request to tapedeck's API (path under /api/v1)."""

    method: str
    path: str
    body: dict[str, Any] | None = None


def properties(player: dict[str, Any] | None, art_base: str | None = None) -> dict[str, Any]:
    """Snapcast's stream properties for a tapedeck Player (None: tapedeck is unreachable)."""
    if player is None:
        return dict(OFFLINE)
    item = player.get("item") if isinstance(player.get("item"), dict) else None
    loaded = item is not None
    duration = _number(player.get("duration"))
    if duration is None and item is not None:
        duration = _number(item.get("duration"))
    props: dict[str, Any] = {
        "playbackStatus": player.get("state") if player.get("state") in STATES else "stopped",
        "loopStatus": LOOP_FROM_REPEAT.get(str(player.get("repeat")), "none"),
        "shuffle": bool(player.get("shuffle")),
        "volume": int(_number(player.get("volume")) or 0),
        "canGoNext": loaded,
        "canGoPrevious": loaded,
        "canPlay": loaded or player.get("queue_index") is not None,
        "canPause": loaded,
        "canSeek": loaded and duration is not None,
        "canControl": True,
        "metadata": metadata(item, duration, art_base) if item is not None else {},
    }
    if loaded:
        props["position"] = _number(player.get("position")) or 0.0
    return props


def metadata(item: dict[str, Any], duration: float | None, art_base: str | None) -> dict[str, Any]:
    """Snapcast's track metadata for a tapedeck Track."""
    meta: dict[str, Any] = {"trackId": str(item.get("id", ""))}
    if isinstance(item.get("title"), str):
        meta["title"] = item["title"]
    artists = item.get("artists")
    if isinstance(artists, list):
        meta["artist"] = [str(a) for a in artists]
    if isinstance(item.get("album"), str) and item["album"]:
        meta["album"] = item["album"]
    if duration is not None:
        meta["duration"] = duration
    if isinstance(item.get("track_number"), int) and not isinstance(item["track_number"], bool):
        meta["trackNumber"] = item["track_number"]
    if art_base and item.get("album_id"):
        meta["artUrl"] = f"{art_base.rstrip('/')}/api/v1/library/albums/{item['album_id']}/image"
    return meta


def control_call(params: dict[str, Any], player: dict[str, Any] | None) -> ApiCall:
    """The API call for a `Plugin.Stream.Player.Control` request's params."""
    command = params.get("command")
    if isinstance(command, str) and command in TRANSPORT:
        return ApiCall("POST", f"/player/{TRANSPORT[command]}")
    inner = params.get("params") or {}
    if not isinstance(inner, dict):
        raise RpcError(INVALID_PARAMS, "the command's params must be an object")
    if command == "setPosition":
        return _seek(_required_number(inner, "position"))
    if command == "seek":
        offset = _required_number(inner, "offset")
        position = _number(player.get("position")) if player else None
        if position is None:
            raise RpcError(INVALID_PARAMS, "nothing is playing to seek in")
        return _seek(position + offset)
    raise RpcError(INVALID_PARAMS, f"unknown command {command!r}")


def _seek(position: float) -> ApiCall:
    return ApiCall("POST", "/player/seek", {"position": max(0.0, position)})


def property_calls(params: dict[str, Any]) -> list[ApiCall]:
    """The API calls for a `Plugin.Stream.Player.SetProperty` request: all checked before any is made."""
    if not params:
        raise RpcError(INVALID_PARAMS, "no property to set")
    patch: dict[str, Any] = {}
    calls: list[ApiCall] = []
    for name, value in params.items():
        if name == "volume":
            calls.append(ApiCall("POST", "/player/volume", {"volume": _volume(value)}))
        elif name in ("mute", "shuffle"):
            if not isinstance(value, bool):
                raise RpcError(INVALID_PARAMS, f"{name} is true or false")
            patch["muted" if name == "mute" else "shuffle"] = value
        elif name == "loopStatus":
            if value not in REPEAT_FROM_LOOP:
                raise RpcError(INVALID_PARAMS, "loopStatus is none, track or playlist")
            patch["repeat"] = REPEAT_FROM_LOOP[value]
        elif name == "rate":
            raise RpcError(INVALID_PARAMS, "tapedeck plays at one rate only")
        else:
            raise RpcError(INVALID_PARAMS, f"unknown property {name!r}")
    if patch:
        calls.append(ApiCall("PATCH", "/player", patch))
    return calls


def _volume(value: Any) -> int:
    number = _number(value)
    if number is None or not 0 <= number <= 100:
        raise RpcError(INVALID_PARAMS, "volume is a number from 0 to 100")
    return round(number)


def worth_sending(last: dict[str, Any] | None, new: dict[str, Any], elapsed: float) -> bool:
    """Whether `new` properties are news to snapserver, `elapsed` seconds after `last` were sent.

    tapedeck ticks the position every second; Snapcast's clients run the clock themselves from
    playbackStatus, so a tick is news only when the position jumped (a seek)."""
    if last is None:
        return True
    if _without_position(last) != _without_position(new):
        return True
    running = elapsed if last.get("playbackStatus") == "playing" else 0.0
    expected = float(last.get("position", 0.0)) + running
    return abs(float(new.get("position", 0.0)) - expected) > SEEK_JUMP


def _without_position(props: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in props.items() if key != "position"}


def _required_number(params: dict[str, Any], name: str) -> float:
    number = _number(params.get(name))
    if number is None:
        raise RpcError(INVALID_PARAMS, f"{name} must be a number of seconds")
    return number


def _number(value: Any) -> float | None:
    """A finite int or float as float (bools and strings are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
