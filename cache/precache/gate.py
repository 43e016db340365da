"""The device's download gate: the one gate (cache/gate.py) over the network watcher's view, the
disk as it is now and the cache settings in force; the download manager consults it before it
starts any transfer, a person's too."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cache import gate
from cache.downloads import Download, Origin
from cache.planner.config import CacheConfig
from cache.planner.snapshot import DiskState, NetState


class DeviceGate:
    """`disk_now` measures afresh (the scheduler asks once per turn); `disk_last` is the latest
    measurement, for the per-origin summary the download list shows."""

    def __init__(
        self,
        network: Callable[[], NetState],
        disk_now: Callable[[], DiskState],
        disk_last: Callable[[], DiskState],
        config: Callable[[], CacheConfig],
    ) -> None:
        self._network = network
        self._disk_now = disk_now
        self._disk_last = disk_last
        self._config = config

    def wait_reason(self, origin: Origin, remaining: int = 0) -> str | None:
        """Why downloads of `origin` (one with `remaining` bytes to fetch) may not run now, or
        None. A queued row that does not fit shows why ("disk almost full")."""
        cond = gate.Conditions(self._network(), self._disk_last())
        reason = gate.blocked(self._config(), cond, gate.Transfer(origin, remaining))
        return None if reason is None else str(reason)

    def turn(
        self, queued: Sequence[Download], running: Sequence[Download], slots: int
    ) -> gate.Turn[Download]:
        """What to stop and what to start now (cache.gate.turn), on the disk measured afresh."""
        cond = gate.Conditions(self._network(), self._disk_now())
        return gate.turn(self._config(), cond, running, queued, _transfer, slots)


def _transfer(row: Download) -> gate.Transfer:
    remaining = max(0, (row.file_size or 0) - row.bytes_downloaded)
    return gate.Transfer(row.origin, remaining)
