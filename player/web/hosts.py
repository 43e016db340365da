"""The Host allow-list and Origin check of api.md (a defence against DNS rebinding and CSRF)."""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

BUILTIN = frozenset({"localhost", "127.0.0.1", "::1"})


def _own_addresses() -> set[str]:
    # Imported here: only a Host header naming an IP address (not localhost) needs the list.
    import psutil

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
        # An Origin never carries user info, a path or a query: 'http://localhost:80@evil.example'
        # names evil.example, whatever its first characters look like.
        if "@" in parts.netloc or parts.path or parts.query or parts.fragment:
            return False
        return self.allows_host(parts.netloc)


_PORT = re.compile(r"[0-9]{1,5}")
_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")
MAX_HOST = 255


def split_host(value: str | None) -> str | None:
    """'Example.local:8080' -> 'example.local'; '[::1]:80' -> '::1'; anything malformed -> None.

    Strict on purpose: a Host header that only looks like ours ('[::1]evil.example', 'localhost..',
    'localhost:abc') must not pass the allow-list by being cut at the wrong place.
    """
    if not value or len(value) > MAX_HOST + 8:
        return None
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or not _port_ok(value[end + 1 :]):
            return None
        inner = value[1:end]
        return inner if _is_ipv6(inner) else None
    name, sep, port = value.partition(":")
    if sep and not _port_ok(":" + port):
        return None
    bare = name[:-1] if name.endswith(".") else name  # one trailing dot is the DNS root
    return bare if _name_ok(bare) else None


def _port_ok(rest: str) -> bool:
    """`rest` is what follows the host: nothing, or ':' and a port number."""
    if rest == "":
        return True
    if not rest.startswith(":"):
        return False
    port = rest[1:]
    return bool(_PORT.fullmatch(port)) and int(port) <= 65535


def _name_ok(name: str) -> bool:
    if not name or len(name) > MAX_HOST:
        return False
    return all(_LABEL.fullmatch(label) for label in name.split("."))


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
