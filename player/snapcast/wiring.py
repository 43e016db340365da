"""Plugging Snapcast into the service: group control for both roles, the snapclient for a room."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from player.config import Config
from player.playback.commands import Pause
from player.playback.controller import PlayerController
from player.system.tasks import TaskSupervisor
from player.web.bus import EventBus

if TYPE_CHECKING:
    from cache.snapcast.control import SnapcastControl


def start_snapcast(
    config: Config, bus: EventBus, supervisor: TaskSupervisor
) -> SnapcastControl | None:
    """With `[snapcast] role` set, follow snapserver's groups (supervised, not critical: music
    plays on while snapserver is away); a room also runs its snapclient."""
    settings = config.snapcast
    if not settings.enabled:
        return None
    from cache.snapcast.control import ControlSettings, SnapcastControl
    from player.snapcast.roomclient import SnapclientRunner, snapclient_args

    control = SnapcastControl(
        ControlSettings(settings.server, settings.control_port, settings.stream), bus.publish
    )
    supervisor.spawn("snapcast-control", control.run(), critical=False)
    if settings.role == "room":
        runner = SnapclientRunner(snapclient_args(settings, _host_id(config.server.name)))
        supervisor.spawn("snapclient", runner.run(), critical=False)
    return control


def hold_local_playback(config: Config, controller: PlayerController) -> None:
    """A room plays the group's music: its own local playback (resumed after a restart) would
    play over it, so it is paused; call after the resume."""
    if config.snapcast.role == "room":
        controller.submit_nowait(Pause())


def _host_id(name: str) -> str:
    # A stable id, so snapserver keeps the room's volume and name across restarts.
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name) or socket.gethostname()
