"""Wiring of the remote-control room: the socket session and the request inbox, as named tasks."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from player.playback.controller import PlayerController
from player.services import Services

# The room and the Jellyfin remote client are imported only when remote control is on.
if TYPE_CHECKING:
    from cache.jellyfin.remote.session import RemoteTimings
    from player.jfremote.room import JellyfinRemote

log = logging.getLogger(__name__)


def attach_remote_control(
    svc: Services, controller: PlayerController, timings: RemoteTimings | None = None
) -> JellyfinRemote | None:
    """Be a Jellyfin cast target when Jellyfin is configured and `remote_control` is on.

    Both tasks are supervised but not critical: remote control failing must not stop the music.
    """
    client = svc.media.jellyfin
    if client is None or not svc.config.jellyfin.remote_control:
        return None
    if not svc.config.jellyfin.username:
        # An API key's session belongs to no user, so no app would ever list it as a target.
        log.info("Jellyfin remote control needs a user login (username), not only an API key")
        return None
    from cache.jellyfin.remote.items import CastResolver
    from cache.jellyfin.remote.session import RemoteSession
    from player.jfremote.room import JellyfinRemote

    remote = JellyfinRemote(
        controller, CastResolver(svc.media.catalogue, client), svc.reporter, svc.bus.publish
    )
    session = RemoteSession(
        client, svc.media.session, svc.config.jellyfin.url, remote.offer, timings
    )
    svc.supervisor.spawn("jellyfin-remote-socket", session.run(), critical=False)
    svc.supervisor.spawn("jellyfin-remote-requests", remote.run(), critical=False)
    log.info(
        "Jellyfin remote control on: %r is offered in the apps' Play On menu",
        svc.config.server.name,
    )
    return remote
