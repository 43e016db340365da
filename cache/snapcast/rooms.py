"""The rooms of a Snapcast house as tapedeck sees them: snapserver's clients, and whether each
plays tapedeck's stream. Pure: built from a `Server.GetStatus` answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cache.events import CacheEvent


@dataclass(frozen=True, slots=True)
class Room:
    """api.md's Room: one snapclient (its id is snapserver's client id)."""

    id: str
    name: str
    connected: bool
    volume: int
    muted: bool
    latency: int
    in_group: bool  # its group plays tapedeck's stream
    group_id: str
    this_device: bool = False  # the snapclient tapedeck runs here (the room role's own)
    named: bool = True  # False: no name in Snapcast yet (the host's name stands in)


@dataclass(frozen=True, slots=True)
class LocalClient:
    """The room role's own snapclient: whether it runs and, while it does not, why."""

    running: bool
    problem: str = ""


@dataclass(frozen=True, slots=True)
class RoomsChanged(CacheEvent):
    """The rooms as they are now (sent whole: a house has a handful of rooms)."""

    rooms: tuple[Room, ...]
    reachable: bool  # False while snapserver cannot be reached (rooms is then the last view)
    reason: str = ""  # why it cannot be reached, while it cannot
    local: LocalClient | None = None  # the room role's own snapclient; None in the source role


@dataclass(frozen=True, slots=True)
class House:
    """One snapshot of the server: its rooms, its groups' members and its streams."""

    rooms: tuple[Room, ...]
    groups: dict[str, tuple[str, ...]]  # group id -> client ids
    group_streams: dict[str, str]  # group id -> stream id
    streams: tuple[str, ...]

    def room(self, room_id: str) -> Room | None:
        return next((room for room in self.rooms if room.id == room_id), None)

    def group_on(self, stream: str) -> str | None:
        """A group already playing `stream`, to join rather than make another."""
        return next((gid for gid, sid in self.group_streams.items() if sid == stream), None)


EMPTY_HOUSE = House((), {}, {}, ())


def parse_status(status: Any, stream: str, this_room: str = "") -> House:
    """`Server.GetStatus`'s result (or its `server` part) as a House; odd shapes yield nothing.
    `this_room` is the client id of the snapclient tapedeck runs here, if it runs one."""
    server = status.get("server", status) if isinstance(status, dict) else {}
    groups = [g for g in _list(server.get("groups")) if isinstance(g, dict)]
    rooms: list[Room] = []
    members: dict[str, tuple[str, ...]] = {}
    streams_of: dict[str, str] = {}
    for group in groups:
        gid, sid = str(group.get("id", "")), str(group.get("stream_id", ""))
        clients = [c for c in _list(group.get("clients")) if isinstance(c, dict)]
        members[gid] = tuple(str(c.get("id", "")) for c in clients)
        streams_of[gid] = sid
        rooms += [_room(client, gid, sid == stream, this_room) for client in clients]
    streams = tuple(
        str(s.get("id", "")) for s in _list(server.get("streams")) if isinstance(s, dict)
    )
    rooms.sort(key=lambda room: (room.name.casefold(), room.id))
    return House(tuple(rooms), members, streams_of, streams)


def _room(client: dict[str, Any], group_id: str, in_group: bool, this_room: str) -> Room:
    config = client.get("config") if isinstance(client.get("config"), dict) else {}
    assert isinstance(config, dict)
    volume = config.get("volume") if isinstance(config.get("volume"), dict) else {}
    assert isinstance(volume, dict)
    host = client.get("host") if isinstance(client.get("host"), dict) else {}
    assert isinstance(host, dict)
    # A room named in Snapcast (Snapweb, Home Assistant) keeps that name; else its host's.
    name = str(config.get("name") or host.get("name") or client.get("id", ""))
    client_id = str(client.get("id", ""))
    return Room(
        id=client_id,
        name=name,
        connected=bool(client.get("connected")),
        volume=_int(volume.get("percent"), 0, 100),
        muted=bool(volume.get("muted")),
        latency=_int(config.get("latency"), -10_000, 10_000),
        in_group=in_group,
        group_id=group_id,
        this_device=bool(this_room) and client_id == this_room,
        named=bool(config.get("name")),
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(low, min(high, int(value)))
