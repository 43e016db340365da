"""The Host allow-list and Origin check of api.md (a defence against DNS rebinding and CSRF)."""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import psutil

BUILTIN = frozenset({"localhost", "127.0.0.1", "::1"})


def _own_addresses() -> set[str]:
    found = set()
    for addrs in psutil.net_if_addrs().values():
        for addr in addrs:
            if addr.family in (socket.AF_INET, socket.AF_INET6):
                found.add(addr.address.split("%", 1)[0].lower())
    return found


class HostPolicy:
    """Decides whether a Host or Origin names this device."""

    def __init__(
        self,
        extra: Iterable[str] = (),
        hostname: str | None = None,
        addresses: Callable[[], set[str]] = _own_addresses,
        refresh_after: float = 30.0,
    ) -> None:
        name = (hostname or socket.gethostname()).lower()
        self._names = BUILTIN | {name, f"{name}.local"} | {h.lower() for h in extra}
        self._addresses = addresses
        self._refresh_after = refresh_after
        self._ips: set[str] = set()
        self._fetched = float("-inf")

    def _ip_allowed(self, host: str) -> bool:
        # Addresses change (DHCP, Wi-Fi roaming): re-read them, but not on every request.
        now = time.monotonic()
        if host not in self._ips and now - self._fetched > self._refresh_after:
            self._ips = self._addresses()
            self._fetched = now
        return host in self._ips

    def allows_host(self, host_header: str | None) -> bool:
        host = split_host(host_header)
        if host is None:
            return False
        if host in self._names:
            return True
        return _is_ip(host) and self._ip_allowed(host)

    def allows_origin(self, origin: str) -> bool:
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        return self.allows_host(parts.netloc)


def split_host(value: str | None) -> str | None:
    """'Example.local:8080' -> 'example.local'; '[::1]:80' -> '::1'; junk -> None."""
    if not value:
        return None
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[1:end] if end > 0 else None
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".") or None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
