"""Builders for planner snapshots (imported by the planner tests)."""

from __future__ import annotations

from collections.abc import Iterable

from cache.models import AlbumId, ItemId
from cache.planner import (
    DiskState,
    FileState,
    Item,
    NetState,
    NetworkKind,
    Origin,
    PlayRecord,
    Snapshot,
)

MB = 1_000_000
WIFI = NetState(NetworkKind.WIFI)
CELL = NetState(NetworkKind.CELLULAR, metered=True)
OFFLINE = NetState(NetworkKind.OFFLINE)


def item(n: int, album: str = "a1", size: int = 10 * MB, duration: float = 240.0) -> Item:
    """Track number n of `album`."""
    return Item(ItemId(f"{album}t{n:02d}"), AlbumId(album), size, duration)


def album(name: str, count: int, size: int = 10 * MB) -> tuple[Item, ...]:
    """The tracks of one album."""
    return tuple(item(n, name, size) for n in range(1, count + 1))


def complete(
    it: Item,
    *,
    origin: Origin = Origin.AUTO,
    fetched_at: float = 0.0,
    last_access: float = 0.0,
    played: bool = False,
) -> FileState:
    """A complete file for `it`."""
    return FileState(it.id, it.size, it.size, origin, fetched_at, last_access, played)


def partial(it: Item, got: int, *, fetched_at: float = 0.0, downloading: bool = False) -> FileState:
    """A partial file for `it` holding `got` bytes."""
    return FileState(it.id, it.size, got, Origin.AUTO, fetched_at, fetched_at, False, downloading)


def plays(
    items: Iterable[Item], start: float = 0.0, kind: NetworkKind = NetworkKind.WIFI
) -> tuple[PlayRecord, ...]:
    """A history in which `items` were started one minute apart."""
    return tuple(PlayRecord(i.id, i.album_id, start + 60 * n, kind) for n, i in enumerate(items))


def snap(
    queue: tuple[Item, ...] = (),
    *,
    index: int | None = 0,
    current: Item | None = None,
    files: Iterable[FileState] = (),
    network: NetState = WIFI,
    used: int | None = None,
    free: int = 100_000 * MB,
    now: float = 10_000.0,
    history: tuple[PlayRecord, ...] = (),
    pins: tuple[Item, ...] = (),
    albums: dict[AlbumId, tuple[Item, ...]] | None = None,
    queue_since: float | None = None,
) -> Snapshot:
    """A snapshot; `used` defaults to the bytes of `files`."""
    fs = {f.item_id: f for f in files}
    used_bytes = sum(f.bytes_on_disk for f in fs.values()) if used is None else used
    return Snapshot(
        now=now,
        queue=queue,
        queue_since=queue_since,
        index=index if queue else None,
        current=current.id if current else None,
        playing=current is not None,
        files=fs,
        network=network,
        disk=DiskState(used_bytes, free),
        history=history,
        pins=pins,
        albums=albums or {},
    )
