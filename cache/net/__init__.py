"""The network watcher: which link carries traffic, is it metered, is the media server reachable."""

from cache.net.sysfs import default_route_interface, interface_kind, interface_up
from cache.net.tools import parse_nm_metered, read_nm_metered, read_ssid
from cache.net.watcher import Network, NetworkSettings, NetworkWatcher

__all__ = [
    "Network",
    "NetworkSettings",
    "NetworkWatcher",
    "default_route_interface",
    "interface_kind",
    "interface_up",
    "parse_nm_metered",
    "read_nm_metered",
    "read_ssid",
]
