"""The pre-cacher in the service: built from the config once the player exists, told about every
queue and playback change, its network and cache changes published on the event bus."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import overload

from cache.media import MediaCache
from cache.models import ItemId, Track
from cache.net.watcher import NetworkSettings
from cache.plays import PlayLog
from cache.precache import PrecacheService, PrecacheSettings, QueueView
from player.config import Config
from player.playback.commands import PlayState
from player.playback.controller import PlayerController
from player.playback.entry import Entry


def precache_settings(config: Config) -> PrecacheSettings:
    """The `[cache]` and `[network]` tables as cache/'s settings (validated at load already)."""
    n = config.network
    network = NetworkSettings(
        metered_interfaces=n.metered_interfaces, metered_ssids=n.metered_ssids,
        unmetered_interfaces=n.unmetered_interfaces, use_networkmanager=n.use_networkmanager,
        interval=n.interval, debounce=n.debounce,
    )  # fmt: skip
    return PrecacheSettings(cache=config.cache, network=network, net_root=Path(n.sysfs_root))


class QueuedTracks(Sequence[Track]):
    """The queue's tracks for the pre-cacher, each built from its entry only when read (the
    plan reads a window of some 2,000: a 20,000-entry queue is not unpacked per change)."""

    __slots__ = ("_entries",)

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries = tuple(entries)  # the order of this moment, whatever the queue does next

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> Track: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Track]: ...

    def __getitem__(self, index: int | slice) -> Track | Sequence[Track]:
        if isinstance(index, slice):
            return tuple(e.item for e in self._entries[index])
        return self._entries[index].item

    def ids(self) -> tuple[str, ...]:
        return tuple(e.item_id for e in self._entries)


def queue_view(controller: PlayerController, last: QueueView | None = None) -> QueueView:
    """What the pre-cacher needs of the player's state; `last`: a view of the same entries,
    whose tracks are kept (the pre-cacher recognises them by identity)."""
    entry = controller.queue.current
    started = entry is not None and controller.state is not PlayState.STOPPED
    tracks: Sequence[Track]
    ids: Sequence[str] | None
    if last is None:
        queued = QueuedTracks(controller.queue.entries)
        tracks, ids = queued, queued.ids()
    else:
        tracks, ids = last.tracks, last.item_ids
    return QueueView(
        tracks=tracks,
        index=controller.queue.index,
        current=ItemId(entry.item_id) if started and entry is not None else None,
        playing=controller.state is PlayState.PLAYING,
        item_ids=ids,
    )


class QueueFeed:
    """A controller listener that hands the pre-cacher a new QueueView only when it differs
    (position ticks arrive every second and change nothing the plan reads)."""

    def __init__(self, controller: PlayerController, precache: PrecacheService) -> None:
        self._controller = controller
        self._precache = precache
        self._last: QueueView | None = None
        self._seen: tuple[object, ...] | None = None

    def __call__(self, _what: str) -> None:
        # What the view is made of, compared first: a tick must not copy a 20,000-entry queue.
        ctl = self._controller
        seen = (ctl.queue.structure_version, ctl.queue.index, ctl.state)
        if seen == self._seen:
            return
        # The entries unchanged (a track change): the same tracks and ids, which the pre-cacher
        # recognises by identity instead of comparing 20,000 ids.
        same = self._last is not None and self._seen is not None and self._seen[0] == seen[0]
        self._seen = seen
        view = queue_view(ctl, self._last if same else None)
        if view != self._last:
            self._last = view
            self._precache.want(view)


async def start_precache(
    media: MediaCache, config: Config, on_event: Callable[[object], None]
) -> PrecacheService:
    """The started pre-cacher (its `run()` is the wiring's to supervise)."""
    service = PrecacheService(
        media, precache_settings(config), on_event, history=PlayLog(media.db).history
    )
    await service.start()
    return service


def feed_queue(controller: PlayerController, service: PrecacheService) -> None:
    """Tell the pre-cacher the queue now and after every change."""
    feed = QueueFeed(controller, service)
    controller.add_listener(feed)
    feed("queue")
