"""Which downloads the network lets run, per origin (the download manager's DownloadGate)."""

from __future__ import annotations

from collections.abc import Callable

from cache.net.watcher import Network
from cache.planner.config import CacheConfig
from cache.planner.plan import Wait
from cache.planner.snapshot import NetworkKind, Origin


class NetworkGate:
    """Automatic downloads run only when the watcher allows downloads; a user's own download also
    runs on a metered network when `pins_on_metered` says so. Neither runs without the server."""

    def __init__(self, network: Callable[[], Network], config: Callable[[], CacheConfig]) -> None:
        self._network = network
        self._config = config

    def wait_reason(self, origin: Origin) -> str | None:
        """None when downloads of `origin` may run now, else why they wait."""
        net = self._network()
        if net.downloads_allowed:
            return None
        if origin is Origin.AUTO or not _metered_only(net):
            return net.reason
        return None if self._config().pins_on_metered else str(Wait.WIFI)


def _metered_only(net: Network) -> bool:
    """The one thing in the way is a metered link (the server answers)."""
    return net.metered and net.server_reachable and net.kind is not NetworkKind.OFFLINE
