"""Plugging Snapcast into the service: group control for both roles, the snapclient for a room."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from player.config import Config
from player.engine.audio import AudioSettings
from player.engine.base import HoldsOutput
from player.playback.commands import Pause, Play
from player.playback.controller import PlayerController
from player.snapcast.relay import FeedChanged, FeedState, FifoRelay
from player.snapcast.settings import SnapcastConfig
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

    host_id = _host_id(config.server.name)
    this_room = host_id if settings.role == "room" else ""  # snapserver names it by --hostID
    control = SnapcastControl(
        ControlSettings(settings.server, settings.control_port, settings.stream,
                        this_room=this_room, room_name=config.server.name),
        bus.publish,
    )  # fmt: skip
    supervisor.spawn("snapcast-control", control.run(), critical=False)
    if settings.role == "room":
        args = snapclient_args(settings, host_id)
        runner = SnapclientRunner(args, on_change=control.local_changed)
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


def source_output(
    config: SnapcastConfig, settings: AudioSettings
) -> tuple[AudioSettings, FifoRelay | None]:
    """The source role's engine output, chosen at start: mpv renders the stream's sample format
    into a relay that feeds snapserver's fifo (the device hears itself through a snapclient)."""
    if config.role != "source":
        return settings, None
    relay = FifoRelay(Path(config.fifo))
    output = dataclasses.replace(
        settings, output=f"pcm:{relay.mpv_path}", raw_format=config.sampleformat, untimed=False
    )
    return output, relay


def pace_engine(relay: FifoRelay, engine: object) -> None:
    """The relay paces mpv by holding its output (mpv's pcm writes must never block on the pipe)."""
    if isinstance(engine, HoldsOutput):
        relay.set_pacer(engine.hold_output)


class FeedGuard:
    """While snapserver does not read the stream, playback is paused (so mpv never waits on a full
    pipe) and the page told why; when it reads again, what this guard paused plays on."""

    def __init__(self, controller: PlayerController, bus: EventBus) -> None:
        self._controller = controller
        self._bus = bus
        self._paused_by_us = False

    def changed(self, event: FeedChanged) -> None:
        self._bus.publish(event)
        playing = str(self._controller.state) == "playing"
        if event.state is FeedState.WAITING and playing:
            self._paused_by_us = True
            self._controller.submit_nowait(Pause())
        elif event.state is FeedState.FLOWING and self._paused_by_us:
            self._paused_by_us = False
            if str(self._controller.state) == "paused":  # not if a person stopped it meanwhile
                self._controller.submit_nowait(Play())
