"""The network watcher: classifies the active route, applies overrides, probes the media server, and
reports debounced changes as api.md's Network objects.

Debouncing is one-sided on purpose: a change that restricts downloads (offline, metered, server gone)
is reported at once, so transfers pause the moment the phone hotspot takes over; a change that allows
them again must hold for `debounce` seconds, so a flapping link does not start and stop transfers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cache.net import sysfs
from cache.net.tools import MeteredReader, SsidReader, read_nm_metered, read_ssid
from cache.planner.plan import Wait
from cache.planner.snapshot import NetState, NetworkKind

Probe = Callable[[], Awaitable[bool]]
Listener = Callable[["Network"], None]


@dataclass(frozen=True, slots=True)
class Network:
    """api.md's Network object."""

    kind: NetworkKind
    interface: str | None
    metered: bool
    ssid: str | None
    server_reachable: bool
    downloads_allowed: bool
    reason: str

    def to_json(self) -> dict[str, Any]:
        """The API object."""
        return {
            "kind": str(self.kind),
            "interface": self.interface,
            "metered": self.metered,
            "ssid": self.ssid,
            "server_reachable": self.server_reachable,
            "downloads_allowed": self.downloads_allowed,
            "reason": self.reason,
        }

    def to_state(self) -> NetState:
        """What the planner needs of it."""
        return NetState(self.kind, self.metered, self.server_reachable)


NO_SERVER = "no media server configured"
UNKNOWN_NETWORK = Network(NetworkKind.UNKNOWN, None, False, None, False, False, "not checked yet")


@dataclass(frozen=True, slots=True)
class NetworkSettings:
    """Overrides and timings; every delay is a parameter so tests scale time."""

    wifi_only: bool = True
    metered_interfaces: tuple[str, ...] = ()
    metered_ssids: tuple[str, ...] = ()
    unmetered_interfaces: tuple[str, ...] = ()  # e.g. a USB modem on a flat-rate plan
    use_networkmanager: bool = True
    server_configured: bool = True  # False: nothing to download from, whatever the link
    interval: float = 5.0
    debounce: float = 3.0


async def _always_reachable() -> bool:
    return True


class NetworkWatcher:
    """Polls the system every `interval` seconds; `current` is the debounced Network."""

    def __init__(
        self,
        settings: NetworkSettings,
        *,
        root: Path = Path("/"),
        probe: Probe = _always_reachable,
        ssid_reader: SsidReader = read_ssid,
        metered_reader: MeteredReader = read_nm_metered,
        if_up: sysfs.IfUp | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._root = root
        self._probe = probe
        self._ssid_reader = ssid_reader
        self._metered_reader = metered_reader
        self._if_up = if_up
        self._clock = clock
        self._current = UNKNOWN_NETWORK
        self._pending: tuple[Network, float] | None = None
        self._listeners: list[Listener] = []

    @property
    def current(self) -> Network:
        """The last reported (debounced) network."""
        return self._current

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(network)` on every reported change (on the event loop)."""
        self._listeners.append(listener)

    def wait_reason(self) -> str | None:
        """None when automatic downloads may run (the download manager's DownloadGate)."""
        return None if self._current.downloads_allowed else self._current.reason

    def update_settings(self, settings: NetworkSettings) -> None:
        """New overrides (a PATCH of the cache config); they apply at the next poll."""
        self.settings = settings

    async def poll(self) -> Network:
        """Look once, debounce, report a change; return the current network."""
        seen = await self.observe()
        self._accept(seen, self._clock())
        return self._current

    async def run(self) -> None:
        """Poll forever (cancel the task to stop)."""
        while True:
            await self.poll()
            await asyncio.sleep(self.settings.interval)

    async def observe(self) -> Network:
        """The network as it is right now, without debouncing."""
        iface = sysfs.default_route_interface(self._root)
        if iface is None or not sysfs.interface_up(self._root, iface, self._if_up):
            if self.settings.server_configured and await self._probe():
                # A LAN without a way out (no default route) can still hold the server.
                return _describe(NetworkKind.UNKNOWN, None, False, None, True, self.settings)
            return _describe(NetworkKind.OFFLINE, iface, False, None, False, self.settings)
        kind = sysfs.interface_kind(self._root, iface)
        ssid = await self._ssid_reader(iface) if kind is NetworkKind.WIFI else None
        metered = await self._metered(iface, kind, ssid)
        reachable = self.settings.server_configured and await self._probe()
        return _describe(kind, iface, metered, ssid, reachable, self.settings)

    async def _metered(self, iface: str, kind: NetworkKind, ssid: str | None) -> bool:
        s = self.settings
        if iface in s.metered_interfaces or (ssid is not None and ssid in s.metered_ssids):
            return True
        if iface in s.unmetered_interfaces:
            return False
        if s.use_networkmanager:
            nm = await self._metered_reader(iface)
            if nm is not None:
                return nm or kind is NetworkKind.CELLULAR
        return kind is NetworkKind.CELLULAR

    def _accept(self, seen: Network, now: float) -> None:
        if seen == self._current:
            self._pending = None
            return
        if _restricts(self._current, seen) or self._current is UNKNOWN_NETWORK:
            self._report(seen)
            return
        if self._pending is None or self._pending[0] != seen:
            self._pending = (seen, now)
        elif now - self._pending[1] >= self.settings.debounce:
            self._report(seen)

    def _report(self, network: Network) -> None:
        self._pending = None
        self._current = network
        for listener in list(self._listeners):
            listener(network)


def _restricts(old: Network, new: Network) -> bool:
    """Whether `new` takes something away that `old` allowed (reported without delay)."""
    return (
        (old.downloads_allowed and not new.downloads_allowed)
        or (new.metered and not old.metered)
        or (old.server_reachable and not new.server_reachable)
        or (new.kind is NetworkKind.OFFLINE and old.kind is not NetworkKind.OFFLINE)
    )


def _describe(
    kind: NetworkKind,
    iface: str | None,
    metered: bool,
    ssid: str | None,
    reachable: bool,
    settings: NetworkSettings,
) -> Network:
    reason, allowed = _verdict(kind, metered, reachable, settings)
    return Network(kind, iface, metered, ssid, reachable, allowed, reason)


def _verdict(
    kind: NetworkKind, metered: bool, reachable: bool, settings: NetworkSettings
) -> tuple[str, bool]:
    if kind is NetworkKind.OFFLINE:
        return str(Wait.NETWORK), False
    if not settings.server_configured:
        return NO_SERVER, False
    if not reachable:
        return str(Wait.SERVER), False
    if metered and settings.wifi_only:
        return str(Wait.WIFI), False
    names = {
        NetworkKind.WIFI: "Wi-Fi",
        NetworkKind.ETHERNET: "Ethernet",
        NetworkKind.CELLULAR: "mobile data",
        NetworkKind.UNKNOWN: "network",
    }
    return f"downloading on {names[kind]}" + (" (metered)" if metered else ""), True
