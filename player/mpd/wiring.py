"""Plugging the MPD server into the service: one cleanup context, one supervised task."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from player.mpd.database import Database
from player.mpd.deck import CoverCache, Deck, Updater
from player.mpd.idle import IdleHub, Subsystem
from player.mpd.server import MpdListenError, MpdServer
from player.mpd.session import Limits
from player.web.keys import SERVICES

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MpdAddress:
    host: str
    port: int


MPD_ADDRESS = web.AppKey("mpd_address", MpdAddress)


async def mpd_ctx(app: web.Application) -> AsyncIterator[None]:
    """Listen on `[mpd] host:port` (when enabled) and serve under the supervisor as "mpd"."""
    svc = app[SERVICES]
    config = svc.config.mpd
    if not config.enabled:
        yield
        return
    hub = IdleHub(svc.controller)
    hub.attach()
    catalogue = svc.media.catalogue
    database = Database(
        catalogue.every_track,
        catalogue.tracks_fingerprint,
        on_change=lambda: hub.publish(Subsystem.DATABASE),
    )

    def spawn(name: str, coro: Coroutine[Any, Any, Any]) -> object:
        return svc.supervisor.spawn(name, coro, critical=False)  # a failed scan is logged only

    deck = Deck(
        controller=svc.controller,
        library=svc.library,
        database=database,
        hub=hub,
        updater=Updater(svc.media.scanner.scan, spawn, hub, database),
        config=config,
        covers=CoverCache(svc.library),
    )
    limits = Limits(idle_timeout=config.idle_timeout, write_timeout=min(config.idle_timeout, 30.0))
    server = MpdServer(deck, limits, config.max_connections)
    try:
        await server.listen(config.host or svc.config.server.host, config.port)
    except MpdListenError as err:
        # Music keeps playing and the page works: a port taken (say by a real MPD) must not
        # become a restart loop under systemd. The log says why MPD clients cannot connect.
        log.error("%s; MPD clients cannot connect (set [mpd] port or enabled = false)", err)
        yield
        return
    app[MPD_ADDRESS] = MpdAddress(config.host or svc.config.server.host, server.port)
    svc.supervisor.spawn("mpd", server.run())
    svc.supervisor.spawn("mpd-database", database.watch(10.0), critical=False)
    yield
    await server.close()
