"""Plugging Snapcast into the service: group control for both roles, the snapclient for a room."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

from aiohttp import web

from cache.snapcast.control import ControlSettings, SnapcastControl
from player.playback.commands import Pause
from player.snapcast.roomclient import SnapclientRunner, snapclient_args
from player.web.keys import SERVICES

SNAPCAST = web.AppKey("snapcast", SnapcastControl)
SNAPCLIENT = web.AppKey("snapclient", SnapclientRunner)


async def snapcast_ctx(app: web.Application) -> AsyncIterator[None]:
    """With `[snapcast] role` set, follow snapserver's groups (supervised, not critical: music
    plays on while snapserver is away); a room also runs its snapclient."""
    svc = app[SERVICES]
    config = svc.config.snapcast
    if not config.enabled:
        yield
        return
    control = SnapcastControl(
        ControlSettings(config.server, config.control_port, config.stream), svc.bus.publish
    )
    app[SNAPCAST] = control
    svc.supervisor.spawn("snapcast-control", control.run(), critical=False)
    if config.role == "room":
        runner = SnapclientRunner(snapclient_args(config, _host_id(svc.config.server.name)))
        app[SNAPCLIENT] = runner
        # The room plays the group's music: its own local playback would play over it.
        svc.controller.submit_nowait(Pause())
        svc.supervisor.spawn("snapclient", runner.run(), critical=False)
    yield


def _host_id(name: str) -> str:
    # A stable id, so snapserver keeps the room's volume and name across restarts.
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name) or socket.gethostname()
