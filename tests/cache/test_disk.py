"""The disk watcher: cache size against the limit, free space against the floor."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cache.disk import DiskUsage, DiskWatcher, FsUsage, directory_bytes
from cache.planner import CacheConfig


def _fs(free: int) -> FsUsage:
    return FsUsage(total=10_000, used=10_000 - free, free=free)


def _watch(tmp_path: Path, free: list[int], **cfg: int) -> DiskWatcher:
    config = CacheConfig.from_mapping(cfg)
    return DiskWatcher(
        tmp_path / "cache", lambda: config, usage=lambda _p: _fs(free[0]), interval=0.01
    )


def test_directory_bytes_counts_partials_in_subfolders(tmp_path: Path) -> None:
    (tmp_path / "a/b").mkdir(parents=True)
    (tmp_path / "a/one.flac").write_bytes(b"x" * 100)
    (tmp_path / "a/b/two.part").write_bytes(b"x" * 50)
    assert directory_bytes(tmp_path) == 150


def test_usage_against_limit_and_floor(tmp_path: Path) -> None:
    free = [5000]
    watcher = _watch(tmp_path, free, storage_limit=120, min_free_bytes=1000)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache/x").write_bytes(b"x" * 100)
    u = watcher.measure()
    assert (u.used_bytes, u.limit_bytes, u.disk_free_bytes) == (100, 120, 5000)
    assert not u.over_limit and not u.below_floor and u.reason is None
    assert u.to_json() == {"used_bytes": 100, "limit_bytes": 120, "disk_free_bytes": 5000}
    assert u.to_state().free_bytes == 5000
    assert watcher.measure(used_bytes=130).reason == "storage limit reached"
    free[0] = 500
    assert watcher.measure().reason == "disk almost full"


def test_listeners_hear_only_changes(tmp_path: Path) -> None:
    free = [5000]
    seen: list[DiskUsage] = []
    watcher = _watch(tmp_path, free)
    watcher.subscribe(seen.append)
    watcher.measure()
    watcher.measure()
    free[0] = 4000
    watcher.measure()
    assert [u.disk_free_bytes for u in seen] == [5000, 4000]


def test_real_statvfs_on_tmp_path(tmp_path: Path) -> None:
    config = CacheConfig()
    u = DiskWatcher(tmp_path, lambda: config).measure()
    assert u.disk_total_bytes > 0 and u.disk_free_bytes >= 0 and u.used_bytes == 0


async def test_run_loop_measures_until_cancelled(tmp_path: Path) -> None:
    free = [5000]
    watcher = _watch(tmp_path, free)
    task = asyncio.create_task(watcher.run())
    try:
        for _ in range(100):
            if watcher.last is not None:
                break
            await asyncio.sleep(0.01)
        assert watcher.last is not None
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
