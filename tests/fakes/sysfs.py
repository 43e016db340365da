"""A fake /proc/net/route and /sys/class/net tree, for the network watcher (its root is injectable)."""

from __future__ import annotations

from pathlib import Path

HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"


class FakeSystem:
    """A root with /proc/net/route and /sys/class/net/<iface>/... that tests rewrite."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "proc/net").mkdir(parents=True)
        (root / "sys/class/net").mkdir(parents=True)
        self.routes({})

    def routes(self, defaults: dict[str, int]) -> None:
        rows = [
            f"{i}\t00000000\t0102A8C0\t0003\t0\t0\t{m}\t00000000\t0\t0\t0\n"
            for i, m in defaults.items()
        ]
        rows.append("lo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n")
        (self.root / "proc/net/route").write_text(HEADER + "".join(rows))

    def iface(
        self,
        name: str,
        *,
        devtype: str = "",
        wireless: bool = False,
        driver: str = "",
        link_type: int = 1,
        state: str = "up",
    ) -> None:
        base = self.root / "sys/class/net" / name
        base.mkdir(parents=True, exist_ok=True)
        (base / "uevent").write_text(
            f"INTERFACE={name}\nIFINDEX=3\n" + (f"DEVTYPE={devtype}\n" if devtype else "")
        )
        (base / "type").write_text(f"{link_type}\n")
        (base / "operstate").write_text(f"{state}\n")
        if wireless:
            (base / "wireless").mkdir(exist_ok=True)
        if driver:
            drv = self.root / "sys/bus/usb/drivers" / driver
            drv.mkdir(parents=True, exist_ok=True)
            (base / "device").mkdir(exist_ok=True)
            (base / "device/driver").symlink_to(drv)
