"""Zeroconf (mDNS / DNS-SD): advertise the service as `_tapedeck._tcp` and `_http._tcp`.

Both services carry the friendly name as instance name, the HTTP port, and the TXT records
`path=/`, `api=/api/v1`, `version` and `id` (a stable device id). The server name is
`<hostname>.local.` because that is a name the API's Host check accepts.

Lifecycle: `Advertiser.start()` only creates a background task, so it never delays READY=1;
call it once the HTTP socket listens. The task publishes, then polls the machine's addresses
and re-publishes when they change, and withdraws (goodbye packets) on `stop()`. A change
recreates the whole `AsyncZeroconf`, not just the records: python-zeroconf joins the multicast
group only on the interfaces that exist when it starts, and at boot Wi-Fi usually comes up after
us (the unit deliberately does not wait for network-online.target).

Coexisting with avahi-daemon (Raspberry Pi OS runs it by default): on Linux both avahi and
python-zeroconf bind UDP 5353 with SO_REUSEADDR/SO_REUSEPORT, and every socket in the group gets
a copy of each multicast packet, so both answer queries for their own records; `<hostname>.local`
is published by both with identical addresses, which mDNS treats as one shared record. avahi
may log "Detected another IPv4 mDNS stack running on this host"; that is expected. We publish
ourselves rather than through an avahi service file because a static file keeps advertising a
stopped service, cannot follow the configured name and port without writing to /etc (read-only
in the sandbox), and because this works on hosts without avahi and in tests on 127.0.0.1.
systemd/README.md shows the avahi alternative for those who prefer a single mDNS stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

# zeroconf is imported where it is used: with [zeroconf] enabled = false the service never loads it
# (45 ms of start-up and its share of memory on a small board).
if TYPE_CHECKING:
    from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

log = logging.getLogger(__name__)

SERVICE_TYPES = ("_tapedeck._tcp.local.", "_http._tcp.local.")
MPD_SERVICE_TYPE = "_mpd._tcp.local."
_MAX_LABEL_BYTES = 63  # DNS label limit for the instance name


class ZeroconfSettings(Protocol):
    """What the advertiser reads from the `[zeroconf]` table (`player.config.ZeroconfConfig` fits)."""

    @property
    def enabled(self) -> bool: ...

    @property
    def interfaces(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class DiscoveryConfig:
    """The `[zeroconf]` table: `interfaces` are addresses to announce on; empty means all."""

    enabled: bool = True
    interfaces: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Advertisement:
    """What to announce. `hostname` is the bare host name (no `.local`)."""

    name: str
    port: int
    version: str
    device_id: str
    hostname: str
    mpd_port: int | None = None  # also announce `_mpd._tcp` on this port (the MPD server)


def local_addresses(interfaces: Iterable[str] = ()) -> frozenset[str]:
    """The IPv4 addresses to announce: the configured ones present now, else all but loopback."""
    import psutil  # here, as zeroconf: a service that announces nothing never loads it

    present = {
        entry.address
        for entries in psutil.net_if_addrs().values()
        for entry in entries
        if entry.family == socket.AF_INET
    }
    wanted = set(interfaces)
    if wanted:
        return frozenset(present & wanted)
    return frozenset(a for a in present if not ipaddress.ip_address(a).is_loopback)


def stable_device_id(state_dir: Path) -> str:
    """The device id kept in `state_dir/device-id`, created once (atomically) when missing."""
    path = state_dir / "device-id"
    with contextlib.suppress(FileNotFoundError):
        existing = path.read_text().strip()
        if existing:
            return existing
    new_id = uuid.uuid4().hex
    scratch = path.with_name(f".device-id.{os.getpid()}")
    with scratch.open("w") as handle:
        handle.write(new_id + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    scratch.replace(path)
    return new_id


def instance_name(friendly: str) -> str:
    """The friendly name made fit for a DNS-SD instance label (printable, at most 63 bytes)."""
    cleaned = "".join(ch for ch in friendly if ch.isprintable()).strip() or "tapedeck"
    encoded = cleaned.encode()[:_MAX_LABEL_BYTES]
    return encoded.decode(errors="ignore").rstrip()


def service_infos(ad: Advertisement, addresses: Iterable[str]) -> list[AsyncServiceInfo]:
    """One `AsyncServiceInfo` per service type, sharing name, port, host and TXT records."""
    from zeroconf.asyncio import AsyncServiceInfo

    properties = {"path": "/", "api": "/api/v1", "version": ad.version, "id": ad.device_id}
    label = instance_name(ad.name)
    services = [(kind, ad.port, properties) for kind in SERVICE_TYPES]
    if ad.mpd_port is not None:
        services.append((MPD_SERVICE_TYPE, ad.mpd_port, {"id": ad.device_id}))
    return [
        AsyncServiceInfo(
            kind,
            f"{label}.{kind}",
            port=port,
            properties=props,
            server=f"{ad.hostname}.local.",
            parsed_addresses=sorted(addresses),
        )
        for kind, port, props in services
    ]


class Advertiser:
    """Publishes the advertisement while `run()` runs and follows address changes.

    `addresses` returns the current address set (default: `local_addresses` of the configured
    interfaces); it is polled every `poll_interval` seconds.
    """

    def __init__(
        self,
        config: ZeroconfSettings,
        ad: Advertisement,
        *,
        poll_interval: float = 10.0,
        addresses: Callable[[], frozenset[str]] | None = None,
    ) -> None:
        self._config = config
        self._ad = ad
        self._poll_interval = poll_interval
        self._addresses = addresses or (lambda: local_addresses(config.interfaces))
        self._zeroconf: AsyncZeroconf | None = None
        self._published: tuple[str, ...] = ()
        self._stopping = asyncio.Event()

    @property
    def published_names(self) -> tuple[str, ...]:
        """The full service names currently announced (after any conflict renaming)."""
        return self._published

    def stop(self) -> None:
        """Ask `run()` to withdraw the services (goodbye packets) and return."""
        self._stopping.set()

    async def run(self) -> None:
        """Announce until `stop()` or a cancel, following address changes; withdraw on the way
        out. Run as a supervised task, not critical: playing on must not depend on discovery."""
        if not self._config.enabled:
            await self._stopping.wait()
            return
        current: frozenset[str] = frozenset()
        try:
            while not self._stopping.is_set():
                wanted = self._addresses()
                if wanted != current:
                    current = await self._republish(wanted)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll_interval):
                        await self._stopping.wait()
        finally:
            # One cancel (the supervisor's stop) still lets the goodbye packets go out.
            await self._withdraw()

    async def _republish(self, addresses: frozenset[str]) -> frozenset[str]:
        """Withdraw, then publish on `addresses`; returns the set now announced (empty: none)."""
        await self._withdraw()
        if addresses and await self._publish(addresses):
            return addresses
        return frozenset()

    async def _publish(self, addresses: frozenset[str]) -> bool:
        from zeroconf import Error as ZeroconfError
        from zeroconf import InterfaceChoice, IPVersion
        from zeroconf.asyncio import AsyncZeroconf

        interfaces = list(self._config.interfaces) or InterfaceChoice.All
        infos = service_infos(self._ad, addresses)
        try:
            self._zeroconf = AsyncZeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
            register = self._zeroconf.async_register_service
            announcing = await asyncio.gather(
                *(register(info, allow_name_change=True) for info in infos)
            )
            self._published = tuple(info.name for info in infos)  # final once probing is done
            await asyncio.gather(*announcing)
        except (OSError, ZeroconfError) as err:
            log.warning(
                "zeroconf could not publish (%s); retrying in %g s", err, self._poll_interval
            )
            await self._withdraw()
            return False
        log.info("zeroconf: announced %s on %s", ", ".join(self._published), sorted(addresses))
        return True

    async def _withdraw(self) -> None:
        zeroconf, self._zeroconf = self._zeroconf, None
        self._published = ()
        if zeroconf is not None:
            await zeroconf.async_close()  # unregisters every service first: goodbye packets
