"""The pre-cacher in the service: built from the config once the player exists, told about every
queue and playback change, its network and cache changes published on the event bus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from cache.models import ItemId
from cache.net.watcher import NetworkSettings
from cache.planner.config import CacheConfig
from cache.plays import PlayLog
from cache.precache import PrecacheService, PrecacheSettings, QueueView
from player.config import Config
from player.playback.commands import PlayState
from player.playback.controller import PlayerController
from player.web.keys import SERVICES


def precache_settings(config: Config) -> PrecacheSettings:
    """The `[cache]` and `[network]` tables as cache/'s settings (validated at load already)."""
    n = config.network
    network = NetworkSettings(
        metered_interfaces=n.metered_interfaces, metered_ssids=n.metered_ssids,
        unmetered_interfaces=n.unmetered_interfaces, use_networkmanager=n.use_networkmanager,
        interval=n.interval, debounce=n.debounce,
    )  # fmt: skip
    return PrecacheSettings(
        cache=CacheConfig.from_mapping(config.cache), network=network, net_root=Path(n.sysfs_root)
    )


def queue_view(controller: PlayerController) -> QueueView:
    """What the pre-cacher needs of the player's state."""
    entry = controller.queue.current
    started = entry is not None and controller.state is not PlayState.STOPPED
    return QueueView(
        tracks=tuple(e.item for e in controller.queue.entries),
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

    def __call__(self, _what: str) -> None:
        view = queue_view(self._controller)
        if view != self._last:
            self._last = view
            self._precache.want(view)


async def precache_ctx(app: web.Application) -> AsyncIterator[None]:
    """Runs after the playback context: the controller exists, the media cache is started."""
    svc = app[SERVICES]
    service = PrecacheService(
        svc.media,
        precache_settings(svc.config),
        svc.bus.publish,
        history=PlayLog(svc.media.db).history,
    )
    service.on_network(svc.network_changed)
    await service.start()
    svc.precache = service
    feed = QueueFeed(svc.controller, service)
    svc.controller.add_listener(feed)
    feed("queue")
    svc.supervisor.spawn("precache", service.run(), critical=False)
    yield
