"""The disk watcher: the cache directory's size against `storage_limit`, the filesystem's free space
against `min_free_bytes` (statvfs), reported as a `DiskUsage` and handed to the planner as DiskState."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from cache.planner.config import CacheConfig
from cache.planner.plan import Wait
from cache.planner.snapshot import DiskState


class FsUsage(NamedTuple):
    """A filesystem's size, used and free (for unprivileged users) bytes."""

    total: int
    used: int
    free: int


UsageReader = Callable[[str], FsUsage]
Listener = Callable[["DiskUsage"], None]


@dataclass(frozen=True, slots=True)
class DiskUsage:
    """Bytes used by the cache, its limit, and the filesystem's free and total bytes."""

    used_bytes: int
    limit_bytes: int
    min_free_bytes: int
    disk_free_bytes: int
    disk_total_bytes: int

    @property
    def over_limit(self) -> bool:
        """The cache holds at least `storage_limit` bytes."""
        return self.used_bytes >= self.limit_bytes

    @property
    def below_floor(self) -> bool:
        """The filesystem has less free space than `min_free_bytes`."""
        return self.disk_free_bytes < self.min_free_bytes

    @property
    def reason(self) -> str | None:
        """Why automatic downloads cannot grow the cache, if they cannot."""
        if self.below_floor:
            return str(Wait.DISK)
        if self.over_limit:
            return str(Wait.STORAGE)
        return None

    def to_json(self) -> dict[str, Any]:
        """The size fields of `GET /api/v1/cache`."""
        return {
            "used_bytes": self.used_bytes,
            "limit_bytes": self.limit_bytes,
            "disk_free_bytes": self.disk_free_bytes,
        }

    def to_state(self) -> DiskState:
        """What the planner needs of it."""
        return DiskState(self.used_bytes, self.disk_free_bytes)


def _fs_usage(path: str) -> FsUsage:
    u = shutil.disk_usage(path)  # statvfs: the same figures psutil gave, without importing it
    return FsUsage(int(u.total), int(u.used), int(u.free))


def directory_bytes(root: Path) -> int:
    """Sum of the sizes of the regular files under `root` (partial files included)."""
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += (Path(dirpath) / name).lstat().st_size
            except OSError:
                continue  # removed while we walked
    return total


class DiskWatcher:
    """Measures on demand or every `interval` seconds; listeners hear about every change."""

    def __init__(
        self,
        cache_dir: Path,
        config: Callable[[], CacheConfig],
        *,
        usage: UsageReader = _fs_usage,
        interval: float = 30.0,
    ) -> None:
        self._dir = cache_dir
        self._config = config
        self._usage = usage
        self._interval = interval
        self._last: DiskUsage | None = None
        self._listeners: list[Listener] = []

    @property
    def last(self) -> DiskUsage | None:
        """The latest measurement, if any."""
        return self._last

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(usage)` whenever a measurement differs from the previous one."""
        self._listeners.append(listener)

    def read(self, used_bytes: int | None = None) -> DiskUsage:
        """Measure now, telling no one (the download gate asks before every start)."""
        cfg = self._config()
        self._dir.mkdir(parents=True, exist_ok=True)
        used = directory_bytes(self._dir) if used_bytes is None else used_bytes
        fs = self._usage(str(self._dir))
        return DiskUsage(used, cfg.storage_limit, cfg.min_free_bytes, fs.free, fs.total)

    def measure(self, used_bytes: int | None = None) -> DiskUsage:
        """Measure now and tell the listeners when it changed; `used_bytes` skips the directory
        walk when the caller already knows it."""
        result = self.read(used_bytes)
        if result != self._last:
            self._last = result
            for listener in list(self._listeners):
                listener(result)
        return result

    async def run(self) -> None:
        """Measure forever (cancel the task to stop)."""
        while True:
            self.measure()
            await asyncio.sleep(self._interval)
