"""Reading a listening trace (shared/traces.md): JSON Lines, validated, errors with line numbers."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cache.errors import CacheError
from cache.models import AlbumId, ItemId
from cache.planner.snapshot import Item, NetworkKind

EVENT_TYPES = ("network", "queue", "play", "stop", "pin", "end")
TICKS_PER_SECOND = 1000  # the simulator's clock counts whole milliseconds
TRACE_KINDS = (NetworkKind.ETHERNET, NetworkKind.WIFI, NetworkKind.CELLULAR, NetworkKind.OFFLINE)


class TraceError(CacheError):
    """The trace is not valid; the message names the line."""

    code = "unprocessable"
    http_status = 422

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}")


@dataclass(frozen=True, slots=True)
class World:
    """The device: storage limit, disk size and bandwidth (bytes/s) per network kind."""

    storage_limit: int
    disk_total: int
    bandwidth: Mapping[NetworkKind, float]


@dataclass(frozen=True, slots=True)
class Event:
    """One timed line. Only the fields of its `type` are set. `tick` is the time in whole
    milliseconds from the first event: the simulator's clock, exact however large `t` is (epoch
    timestamps, a year of listening), so a trace and the same trace shifted in time run alike."""

    t: float
    type: str
    line: int
    tick: int = 0
    kind: NetworkKind | None = None
    ssid: str | None = None
    items: tuple[ItemId, ...] = ()
    index: int = 0
    item_id: ItemId | None = None
    album_id: AlbumId | None = None


@dataclass(frozen=True, slots=True)
class Trace:
    """A parsed trace: the catalogue, the world and the events in order."""

    tracks: Mapping[ItemId, Item]
    albums: Mapping[AlbumId, tuple[Item, ...]]
    world: World
    events: tuple[Event, ...]


def parse_trace(lines: Iterable[str]) -> Trace:
    """Parse and validate a whole trace."""
    reader = _Reader()
    for n, raw in enumerate(lines, start=1):
        if raw.strip():
            reader.line(n, _decode(n, raw))
    return reader.finish()


def _decode(n: int, raw: str) -> dict[str, Any]:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as err:
        raise TraceError(n, f"not JSON ({err.msg})") from err
    if not isinstance(obj, dict):
        raise TraceError(n, "each line must be a JSON object")
    return obj


class _Reader:
    def __init__(self) -> None:
        self.tracks: dict[ItemId, Item] = {}
        self.order: dict[ItemId, tuple[int, int]] = {}
        self.world: World | None = None
        self.events: list[Event] = []
        self.last_t = 0.0
        self.last_line = 0
        self.first_tick: int | None = None

    def line(self, n: int, obj: dict[str, Any]) -> None:
        self.last_line = n
        kind = obj.get("type")
        if kind == "track":
            self._track(n, obj)
        elif kind == "world":
            self._world(n, obj)
        elif kind in EVENT_TYPES:
            self._event(n, obj)
        else:
            raise TraceError(n, f"unknown type {kind!r}")

    def _track(self, n: int, obj: dict[str, Any]) -> None:
        if self.events:
            raise TraceError(n, "track lines must come before the first event")
        item_id = ItemId(_str(n, obj, "id"))
        if item_id in self.tracks:
            raise TraceError(n, f"duplicate track id {item_id!r}")
        size = _num(n, obj, "size", integer=True)
        duration = _num(n, obj, "duration")
        if size <= 0 or duration <= 0:
            raise TraceError(n, "size and duration must be positive")
        album = AlbumId(_str(n, obj, "album_id"))
        self.tracks[item_id] = Item(item_id, album, int(size), float(duration))
        disc = obj.get("disc", 1)
        index = obj.get("index", 0)
        self.order[item_id] = (
            int(disc) if isinstance(disc, int) else 1,
            int(index) if isinstance(index, int) else 0,
        )

    def _world(self, n: int, obj: dict[str, Any]) -> None:
        if self.world is not None or self.events:
            raise TraceError(n, "exactly one world line, before the first event")
        bandwidth = obj.get("bandwidth")
        if not isinstance(bandwidth, dict):
            raise TraceError(n, "world.bandwidth must be an object")
        rates: dict[NetworkKind, float] = {NetworkKind.OFFLINE: 0.0}
        for k in (NetworkKind.ETHERNET, NetworkKind.WIFI, NetworkKind.CELLULAR):
            rates[k] = float(_num(n, bandwidth, str(k)))
        limit = int(_num(n, obj, "storage_limit", integer=True))
        total = int(_num(n, obj, "disk_total", integer=True))
        self.world = World(limit, total, rates)

    def _event(self, n: int, obj: dict[str, Any]) -> None:
        if self.world is None:
            raise TraceError(n, "the world line must come before the first event")
        t = float(_num(n, obj, "t"))
        if t < self.last_t:
            raise TraceError(n, f"t={t} goes back in time (previous {self.last_t})")
        if self.events and self.events[-1].type == "end":
            raise TraceError(n, "nothing may follow the end event")
        self.last_t = t
        event = _EVENT_PARSERS[obj["type"]](self, n, t, obj)
        tick = round(t * TICKS_PER_SECOND)
        if self.first_tick is None:
            self.first_tick = tick
        self.events.append(dataclasses.replace(event, tick=tick - self.first_tick))

    def _known(self, n: int, item_id: object) -> ItemId:
        if not isinstance(item_id, str) or item_id not in self.tracks:
            raise TraceError(n, f"unknown track {item_id!r}")
        return ItemId(item_id)

    def finish(self) -> Trace:
        if self.world is None:
            raise TraceError(self.last_line, "no world line")
        if not self.events or self.events[-1].type != "end":
            raise TraceError(self.last_line, "the trace must finish with an end event")
        albums: dict[AlbumId, list[Item]] = {}
        for item in sorted(self.tracks.values(), key=lambda i: (self.order[i.id], i.id)):
            albums.setdefault(item.album_id, []).append(item)
        frozen = {a: tuple(items) for a, items in albums.items()}
        return Trace(self.tracks, frozen, self.world, tuple(self.events))


def _network(r: _Reader, n: int, t: float, obj: dict[str, Any]) -> Event:
    kind = obj.get("kind")
    if kind not in [str(k) for k in TRACE_KINDS]:
        raise TraceError(
            n, f"network.kind must be ethernet, wifi, cellular or offline, not {kind!r}"
        )
    ssid = obj.get("ssid")
    if ssid is not None and not isinstance(ssid, str):
        raise TraceError(n, "network.ssid must be a string")
    return Event(t, "network", n, kind=NetworkKind(kind), ssid=ssid)


def _queue(r: _Reader, n: int, t: float, obj: dict[str, Any]) -> Event:
    items = obj.get("items")
    if not isinstance(items, list):
        raise TraceError(n, "queue.items must be a list of track ids")
    ids = tuple(r._known(n, i) for i in items)
    index = obj.get("index", 0)
    if (
        isinstance(index, bool)
        or not isinstance(index, int)
        or not 0 <= index <= max(len(ids) - 1, 0)
    ):
        raise TraceError(n, f"queue.index {index!r} is outside the queue")
    return Event(t, "queue", n, items=ids, index=index)


def _play(r: _Reader, n: int, t: float, obj: dict[str, Any]) -> Event:
    return Event(t, "play", n, item_id=r._known(n, obj.get("id")))


def _pin(r: _Reader, n: int, t: float, obj: dict[str, Any]) -> Event:
    if "item_id" in obj:
        return Event(t, "pin", n, item_id=r._known(n, obj["item_id"]))
    album = obj.get("album_id")
    if not isinstance(album, str) or all(i.album_id != album for i in r.tracks.values()):
        raise TraceError(n, f"pin needs a known item_id or album_id, got {album!r}")
    return Event(t, "pin", n, album_id=AlbumId(album))


def _bare(r: _Reader, n: int, t: float, obj: dict[str, Any]) -> Event:
    return Event(t, str(obj["type"]), n)


_EVENT_PARSERS = {
    "network": _network,
    "queue": _queue,
    "play": _play,
    "stop": _bare,
    "pin": _pin,
    "end": _bare,
}


def _str(n: int, obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise TraceError(n, f"{key} must be a non-empty string")
    return value


def _num(n: int, obj: Mapping[str, Any], key: str, *, integer: bool = False) -> float:
    value = obj.get(key)
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok:
        raise TraceError(n, f"{key} must be {'an integer' if integer else 'a number'}")
    assert isinstance(value, int | float)
    if value < 0:
        raise TraceError(n, f"{key} must not be negative")
    return float(value)
