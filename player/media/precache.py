"""The pre-cacher in the service: built from the config once the player exists, told about every
queue and playback change, its network and cache changes published on the event bus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cache.media import MediaCache
from cache.models import ItemId, Track
from cache.net.watcher import NetworkSettings
from cache.plays import PlayLog
from cache.precache import PrecacheService, PrecacheSettings, QueueView
from player.config import Config
from player.playback.commands import PlayState
from player.playback.controller import PlayerController


def precache_settings(config: Config) -> PrecacheSettings:
    """The `[cache]` and `[network]` tables as cache/'s settings (validated at load already)."""
    n = config.network
    network = NetworkSettings(
        metered_interfaces=n.metered_interfaces, metered_ssids=n.metered_ssids,
        unmetered_interfaces=n.unmetered_interfaces, use_networkmanager=n.use_networkmanager,
        interval=n.interval, debounce=n.debounce,
    )  # fmt: skip
    return PrecacheSettings(cache=config.cache, network=network, net_root=Path(n.sysfs_root))


def queue_view(controller: PlayerController, tracks: tuple[Track, ...] | None = None) -> QueueView:
    """What the pre-cacher needs of the player's state (`tracks`: the queue's, when known)."""
    entry = controller.queue.current
    started = entry is not None and controller.state is not PlayState.STOPPED
    return QueueView(
        tracks=tuple(e.item for e in controller.queue.entries) if tracks is None else tracks,
        index=controller.queue.index,
        current=ItemId(entry.item.id) if started and entry is not None else None,
        playing=controller.state is PlayState.PLAYING,
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
        # The entries unchanged (a track change): the same tracks tuple, which the pre-cacher
        # recognises by identity instead of comparing 20,000 ids.
        same = self._last is not None and self._seen is not None and self._seen[0] == seen[0]
        self._seen = seen
        view = queue_view(ctl, self._last.tracks if same and self._last is not None else None)
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
