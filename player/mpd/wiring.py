"""Plugging the MPD server into the service: one part of the wiring, supervised tasks.

The server's modules (protocol, commands, database view) load only when `[mpd] enabled` is set:
a service without MPD clients does not pay their import time or memory at every start.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cache.media import MediaCache
    from player.config import Config
    from player.mpd.server import MpdServer
    from player.playback.controller import PlayerController
    from player.playback.library import Library
    from player.system.tasks import TaskSupervisor


@contextlib.asynccontextmanager
async def running_mpd(
    service_config: Config,
    controller: PlayerController,
    media: MediaCache,
    library: Library,
    supervisor: TaskSupervisor,
) -> AsyncIterator[MpdServer | None]:
    """Listen on `[mpd] host:port` (when enabled) and serve under the supervisor as "mpd"."""
    if not service_config.mpd.enabled:
        yield None
        return
    from player.mpd.serving import serving_mpd

    async with serving_mpd(service_config, controller, media, library, supervisor) as server:
        yield server
