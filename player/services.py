"""The live parts of one running service, filled in by the app factory's contexts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cache.media import MediaCache
from cache.net.watcher import UNKNOWN_NETWORK, Network
from cache.planner.snapshot import NetworkKind
from cache.repairs import Repair
from player.config import Config
from player.pairing.core import Pairing
from player.playback.controller import PlayerController
from player.playback.library import Library
from player.system.notify import Notifier
from player.system.tasks import TaskSupervisor
from player.web.bus import EventBus
from player.web.spec import RouteSpec

# Built only when configured: imported here for their types alone.
if TYPE_CHECKING:
    from cache.jellyfin.reporting import PlayReporter
    from cache.precache import PrecacheService


@dataclass
class Services:
    config: Config
    notifier: Notifier
    bus: EventBus = field(default_factory=EventBus)
    supervisor: TaskSupervisor = field(default_factory=TaskSupervisor)
    route_specs: list[RouteSpec] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)  # what start-up and upkeep fixed
    pairing: Pairing | None = None  # set by pairing_ctx when security.pairing is on
    precache: PrecacheService | None = None  # set by precache_ctx
    reporter: PlayReporter | None = None  # set by the playback context
    # Set by the app factory's contexts, in order:
    library: Library = field(init=False)
    media: MediaCache = field(init=False)
    controller: PlayerController = field(init=False)

    async def snapshot(self) -> dict[str, Any]:
        """The first message every events client gets."""
        return {
            "type": "snapshot",
            "player": self.controller.player_json(),
            "queue": self.controller.queue.to_json(),
            "downloads": await self._download_counts(),
            "network": self.network_json(),
            "cache": await self.precache.cache_json() if self.precache is not None else {},
        }

    def network_kind(self) -> NetworkKind:
        """The class of the current network (each play is recorded with it)."""
        return (
            self.precache.network.current.kind if self.precache is not None else NetworkKind.UNKNOWN
        )

    def network_json(self) -> dict[str, Any]:
        """The Network object (not checked yet while the pre-cacher starts)."""
        network = self.precache.network.current if self.precache is not None else UNKNOWN_NETWORK
        return network.to_json()

    async def _download_counts(self) -> dict[str, int]:
        page = await self.media.downloads.list_downloads(limit=1)
        return {"active_count": page.active_count, "queued_count": page.queued_count}

    def network_changed(self, network: Network) -> None:
        """Network listener: plays kept while the server was away are owed to it now, and a
        catalogue sync that failed is tried again."""
        self.media.server_reachable(network.server_reachable)
        if network.server_reachable and self.reporter is not None:
            self.reporter.server_reachable()

    def publish_change(self, what: str) -> None:
        """Controller listener: player and queue changes go out on the bus."""
        if what == "queue":
            self.bus.publish({"type": "queue", "queue": self.controller.queue.to_json()})
        else:
            self.bus.publish({"type": "player", "player": self.controller.player_json()})
