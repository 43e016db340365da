"""Which interface carries the default route, and what kind of link it is, from /proc and /sys.

Every function takes the filesystem `root` so tests build a fake tree under tmp_path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cache.planner.snapshot import NetworkKind

RTF_UP = 0x1
ARPHRD_ETHER = 1
ARPHRD_PPP = 512
# USB network drivers a phone uses when it shares its mobile connection (tethering)
TETHER_DRIVERS = frozenset(
    {"rndis_host", "cdc_ether", "ipheth", "cdc_ncm", "cdc_mbim", "qmi_wwan", "huawei_cdc_ncm"}
)
CELLULAR_PREFIXES = ("ppp", "wwan", "rmnet")

IfUp = Callable[[str], bool | None]  # None: the reader does not know this interface


def default_route_interface(root: Path) -> str | None:
    """The interface of the best (lowest metric) IPv4 default route, else of an IPv6 one."""
    return _ipv4_default(root / "proc/net/route") or _ipv6_default(root / "proc/net/ipv6_route")


def _ipv4_default(path: Path) -> str | None:
    best: tuple[int, str] | None = None
    for fields in _rows(path, skip_header=True):
        if len(fields) < 8 or fields[0] == "lo":
            continue
        try:
            flags, metric = int(fields[3], 16), int(fields[6])
        except ValueError:
            continue
        is_default = fields[1] == "00000000" and fields[7] == "00000000" and flags & RTF_UP
        if is_default and (best is None or metric < best[0]):
            best = (metric, fields[0])
    return best[1] if best else None


def _ipv6_default(path: Path) -> str | None:
    best: tuple[int, str] | None = None
    for fields in _rows(path, skip_header=False):
        if len(fields) < 10 or fields[9] == "lo":
            continue
        if fields[0] != "0" * 32 or fields[1] != "00":
            continue
        try:
            metric, flags = int(fields[5], 16), int(fields[8], 16)
        except ValueError:
            continue
        if flags & RTF_UP and (best is None or metric < best[0]):
            best = (metric, fields[9])
    return best[1] if best else None


def _rows(path: Path, *, skip_header: bool) -> list[list[str]]:
    try:
        lines = path.read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return []
    return [line.split() for line in lines[1 if skip_header else 0 :] if line.strip()]


def interface_kind(root: Path, name: str) -> NetworkKind:
    """Wi-Fi, cellular (wwan, ppp, USB tethering) or Ethernet; unknown for other link types."""
    base = root / "sys/class/net" / name
    if not base.exists():
        return NetworkKind.UNKNOWN
    uevent = _uevent(base / "uevent")
    devtype = uevent.get("DEVTYPE", "")
    if devtype == "wlan" or (base / "wireless").is_dir() or (base / "phy80211").exists():
        return NetworkKind.WIFI
    if devtype == "wwan" or name.startswith(CELLULAR_PREFIXES) or _driver(base) in TETHER_DRIVERS:
        return NetworkKind.CELLULAR
    link_type = _read_int(base / "type")
    if link_type == ARPHRD_PPP:
        return NetworkKind.CELLULAR
    if link_type == ARPHRD_ETHER:
        return NetworkKind.ETHERNET
    return NetworkKind.UNKNOWN


def interface_up(root: Path, name: str, if_up: IfUp | None = None) -> bool:
    """Whether the link is up: psutil's view when it knows the interface, else sysfs operstate."""
    if if_up is not None:
        known = if_up(name)
        if known is not None:
            return known
    try:
        state = (root / "sys/class/net" / name / "operstate").read_text().strip()
    except OSError:
        return False
    # ppp and tun links report "unknown" while working
    return state in ("up", "unknown")


def _uevent(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def _driver(base: Path) -> str:
    link = base / "device" / "driver"
    try:
        return link.resolve(strict=True).name if link.exists() else ""
    except OSError:
        return ""


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None
