"""The live parts of one running service: built once, in order, by `player.wiring`, then fixed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cache.media import MediaCache
from cache.repairs import Repair
from player.config import Config
from player.playback.controller import PlayerController
from player.playback.library import Library
from player.system.notify import Notifier
from player.system.storage import StorageWatch
from player.system.tasks import TaskSupervisor
from player.web.bus import EventBus

if TYPE_CHECKING:  # built only when configured, or heavy to import: their types alone
    from cache.jellyfin.reporting import PlayReporter
    from cache.precache import PrecacheService
    from cache.snapcast.control import SnapcastControl
    from player.mpd.server import MpdServer
    from player.pairing.core import Pairing
    from player.radio.stations import RadioBook
    from player.timers.wiring import Timers


@dataclass(frozen=True, slots=True)
class Services:
    """What the routes, the buttons and the controllers reach; nothing here is set later."""

    config: Config
    notifier: Notifier
    bus: EventBus
    supervisor: TaskSupervisor
    media: MediaCache
    library: Library
    controller: PlayerController
    precache: PrecacheService
    reporter: PlayReporter
    pairing: Pairing | None  # None unless security.pairing is on
    mpd: MpdServer | None  # None unless mpd.enabled (or its port was taken)
    snapcast: SnapcastControl | None  # None unless [snapcast] role is set
    listening: asyncio.Event  # set by the server once its socket accepts connections
    repairs: list[Repair]  # what start-up and upkeep fixed (GET /health lists them), appended to
    storage: StorageWatch  # the room kept for the databases; storage problems for /health
    timers: Timers  # the sleep timer, long tracks' positions, the alarms (player/timers/)
    radio: RadioBook  # the internet radio stations (player/radio/)
