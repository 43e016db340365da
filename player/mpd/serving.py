"""The MPD server built and served under the supervisor (loaded only when `[mpd] enabled`)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from cache.media import MediaCache
from player.config import Config
from player.mpd.database import Database
from player.mpd.deck import CoverCache, Deck, Updater
from player.mpd.idle import IdleHub, Subsystem
from player.mpd.server import MpdListenError, MpdServer
from player.mpd.session import Limits
from player.playback.controller import PlayerController
from player.playback.library import Library
from player.system.tasks import TaskSupervisor

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def serving_mpd(
    service_config: Config,
    controller: PlayerController,
    media: MediaCache,
    library: Library,
    supervisor: TaskSupervisor,
) -> AsyncIterator[MpdServer | None]:
    """Listen on `[mpd] host:port` and serve under the supervisor as "mpd"."""
    config = service_config.mpd
    hub = IdleHub(controller)
    hub.attach()
    catalogue = media.catalogue
    database = Database(
        catalogue.every_track,
        catalogue.tracks_fingerprint,
        on_change=lambda: hub.publish(Subsystem.DATABASE),
    )

    def spawn(name: str, coro: Coroutine[Any, Any, Any]) -> object:
        return supervisor.spawn(name, coro, critical=False)  # a failed scan is logged only

    deck = Deck(
        controller=controller,
        library=library,
        database=database,
        hub=hub,
        updater=Updater(media.scanner.scan, spawn, hub, database),
        config=config,
        covers=CoverCache(library),
    )
    limits = Limits(idle_timeout=config.idle_timeout, write_timeout=min(config.idle_timeout, 30.0))
    server = MpdServer(deck, limits, config.max_connections)
    try:
        await server.listen(config.host or service_config.server.host, config.port)
    except MpdListenError as err:
        # Music keeps playing and the page works: a port taken (say by a real MPD) must not
        # become a restart loop under systemd. The log says why MPD clients cannot connect.
        log.error("%s; MPD clients cannot connect (set [mpd] port or enabled = false)", err)
        yield None
        return
    supervisor.spawn("mpd", server.run())
    supervisor.spawn("mpd-database", database.watch(10.0), critical=False)
    try:
        yield server
    finally:
        await server.close()
