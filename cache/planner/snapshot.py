"""The planner's input: a frozen picture of queue, history, pins, disk contents, network and disk."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from cache.models import AlbumId, ItemId
from cache.models import Origin as Origin  # re-exported: the planner speaks of it


class NetworkKind(StrEnum):
    """The class of the active route (api.md's Network.kind)."""

    ETHERNET = "ethernet"
    WIFI = "wifi"
    CELLULAR = "cellular"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Item:
    """A track as the planner sees it: sizes in bytes, duration in seconds."""

    id: ItemId
    album_id: AlbumId
    size: int
    duration: float


@dataclass(frozen=True, slots=True)
class PlayRecord:
    """One track start in the play history, with the network it started on."""

    item_id: ItemId
    album_id: AlbumId
    at: float
    network: NetworkKind = NetworkKind.WIFI


@dataclass(frozen=True, slots=True)
class FileState:
    """A file in the cache directory, complete or partial."""

    item_id: ItemId
    size: int
    bytes_on_disk: int
    origin: Origin = Origin.AUTO
    fetched_at: float = 0.0
    last_access: float = 0.0
    played: bool = False  # started from this local copy at least once
    downloading: bool = False

    @property
    def complete(self) -> bool:
        """Whether the whole file is on disk."""
        return self.bytes_on_disk >= self.size


@dataclass(frozen=True, slots=True)
class NetState:
    """The network as the watcher last saw it."""

    kind: NetworkKind = NetworkKind.WIFI
    metered: bool = False
    server_reachable: bool = True

    @property
    def online(self) -> bool:
        """Whether anything can be transferred at all."""
        return self.kind not in (NetworkKind.OFFLINE,) and self.server_reachable


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """What the device measured of its own network lately (cache/planner/link.py): how long its
    recent offline spells lasted, how fast downloads ran on an unmetered link (bytes/s of all
    transfers together while any ran; None until measured), and the longest it stayed on an
    unmetered link without a break (seconds, the present stay included)."""

    outages: tuple[float, ...] = ()
    throughput: float | None = None
    longest_stay: float = 0.0


@dataclass(frozen=True, slots=True)
class DiskState:
    """`used_bytes` is the cache's own (complete plus partial); `free_bytes` the filesystem's."""

    used_bytes: int
    free_bytes: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything a policy may look at, at time `now` (seconds on the caller's clock)."""

    now: float
    queue: tuple[Item, ...] = ()
    index: int | None = None
    queue_since: float | None = None  # when the queue was last replaced
    current: ItemId | None = None  # the track playing or paused, once it has started
    playing: bool = False
    history: tuple[PlayRecord, ...] = ()  # oldest first; the caller bounds its length
    pins: tuple[Item, ...] = ()  # user downloads, in the order they were asked for
    files: Mapping[ItemId, FileState] = field(default_factory=dict)
    network: NetState = field(default_factory=NetState)
    link: LinkRecord = field(default_factory=LinkRecord)
    disk: DiskState = field(default_factory=lambda: DiskState(0, 1 << 62))
    albums: Mapping[AlbumId, tuple[Item, ...]] = field(default_factory=dict)  # in album order

    def is_local(self, item_id: ItemId) -> bool:
        """Whether the item is completely on disk."""
        f = self.files.get(item_id)
        return f is not None and f.complete

    def upcoming(self) -> tuple[Item, ...]:
        """Queue items from the first not yet started one onwards."""
        if self.index is None or not self.queue:
            return ()
        start = self.index
        if self.current is not None and self.queue[start].id == self.current:
            start += 1
        return self.queue[start:]
