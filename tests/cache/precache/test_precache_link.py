"""The pre-cache service keeps the device's record of its link (cache/planner/link.py) from what it
sees: the network watcher's changes and the download manager's progress on an unmetered link; the
policy reads it in every snapshot."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cache.downloads import (
    Download,
    DownloadEvent,
    DownloadEventKind,
    DownloadId,
    DownloadStatus,
    Origin,
)
from cache.media import MediaCache, MediaSettings
from cache.planner.snapshot import NetworkKind
from cache.precache.service import PrecacheService, PrecacheSettings

MB = 1_000_000


def _row(done: int) -> Download:
    return Download(
        DownloadId(1), "t1", DownloadStatus.DOWNLOADING, origin=Origin.AUTO, bytes_downloaded=done
    )


async def test_outages_and_the_download_rate_reach_the_policy(tmp_path: Path) -> None:
    made = MediaSettings(tmp_path / "state", tmp_path / "cache", tmp_path / "music", demo=False)
    media = MediaCache(made)
    await media.start()
    clock = [1000.0]
    service = PrecacheService(media, PrecacheSettings(), lambda _e: None, clock=lambda: clock[0])
    try:
        wifi = dataclasses.replace(
            service.network.current, kind=NetworkKind.WIFI, metered=False, server_reachable=True
        )
        offline = dataclasses.replace(wifi, kind=NetworkKind.OFFLINE)
        service._network_changed(wifi)
        service._network_changed(offline)
        clock[0] += 42.0
        service._network_changed(wifi)
        service._download_event(DownloadEvent(DownloadEventKind.STARTED, _row(0)))
        for n in range(1, 4):
            clock[0] += 0.5
            service._download_event(DownloadEvent(DownloadEventKind.PROGRESS, _row(n * MB)))
        record = service.link.record(clock[0])
        assert record.outages == (42.0,)
        assert record.throughput == 2 * MB
        assert record.longest_stay == 1.5  # back on Wi-Fi since the outage
        assert (await service.precacher.snapshot()).link == record
    finally:
        await media.stop()
