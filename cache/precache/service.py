"""The pre-cacher assembled for the service: settings, network and disk watchers, the download
gate and the planning loop, over a started MediaCache.

A download that waits because the disk was full (ENOSPC) is resumed as soon as the disk watcher
sees room again, and at start after a restart; the gate then starts it only when it fits above the
free-space floor."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp

from cache import gate
from cache.db import fetch_row
from cache.disk import DiskUsage, DiskWatcher
from cache.downloads import DownloadEvent, DownloadEventKind, DownloadStatus, Origin, WaitReason
from cache.errors import CacheError
from cache.events import CacheEvent, EventSink
from cache.media import MediaCache
from cache.net.watcher import Network, NetworkSettings, NetworkWatcher, Probe
from cache.planner.config import CacheConfig
from cache.planner.link import LinkLog
from cache.planner.snapshot import DiskState, LinkRecord
from cache.precache.events import CacheChanged, CacheStatus, NetworkChanged
from cache.precache.gate import DeviceGate
from cache.precache.meter import ByteMeter
from cache.precache.runner import History, Inputs, Precacher, QueueView
from cache.precache.settings import CacheSettings
from cache.streamthrough import StreamRules

log = logging.getLogger(__name__)
NetworkListener = Callable[[Network], None]
_REPLAN_ON = {
    DownloadEventKind.COMPLETED, DownloadEventKind.FAILED, DownloadEventKind.DELETED,
    DownloadEventKind.CANCELLED,
}  # fmt: skip
WALK_EVERY = 6  # disk ticks between two walks of the cache directory (free space is read each tick)


@dataclass(frozen=True, slots=True)
class PrecacheSettings:
    """The `[cache]` table as configured, the network overrides and the timings."""

    cache: CacheConfig = field(default_factory=CacheConfig)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    net_root: Path = Path("/")  # tests point it at a fake /sys + /proc tree
    disk_interval: float = 5.0  # seconds between looks at the free space
    probe_timeout: float = 5.0
    min_gap: float = 0.5  # seconds between two plans at most once


class PrecacheService:
    """Owns the watchers and the loop; `run()` for the life of the service."""

    def __init__(
        self,
        media: MediaCache,
        settings: PrecacheSettings,
        on_event: EventSink[CacheEvent],
        *,
        history: History | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._media = media
        self._clock = clock
        self._settings = settings
        self._on_event = on_event
        self.settings = CacheSettings(media.db, settings.cache)
        self.network = NetworkWatcher(
            self._network_settings(settings.cache), root=settings.net_root, probe=self._probe()
        )
        self.disk = DiskWatcher(
            media.settings.cache_dir, lambda: self.settings.current, interval=settings.disk_interval
        )
        self.link = LinkLog()
        inputs = Inputs(
            media.db, media.downloads, lambda: self.settings.current,
            lambda: self.network.current.to_state(), self._disk_state, link=self._link_record,
        )  # fmt: skip
        if history is not None:
            inputs = replace(inputs, history=history)
        self.precacher = Precacher(inputs, min_gap=settings.min_gap)
        self._gate = DeviceGate(
            lambda: self.network.current.to_state(),
            lambda: self.disk.read().to_state(),
            lambda: (self.disk.last or self.disk.measure()).to_state(),
            lambda: self.settings.current,
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self.meter = ByteMeter()

    async def start(self) -> None:
        """Load the stored settings, look at the network once, install the gate."""
        await self.settings.load()
        self.network.update_settings(self._network_settings(self.settings.current))
        self.settings.subscribe(self._config_changed)
        self.network.subscribe(self._network_changed)
        self._media.add_download_listener(self._download_event)
        await self.network.poll()
        usage = self.disk.measure()
        self._media.downloads.set_gate(self._gate)
        self._media.downloads.set_transcode(
            lambda origin: self.settings.current.transcode_profile(origin is Origin.AUTO)
        )
        self._install_streams()
        await self._resume_disk_full(usage)

    def _install_streams(self) -> None:
        """Stream-through obeys the same gate: what may hold a stream, what may be kept."""

        def conditions(disk: DiskState) -> gate.Conditions:
            return gate.Conditions(self.network.current.to_state(), disk)

        def wait() -> str | None:
            disk = (self.disk.last or self.disk.measure()).to_state()
            reason = gate.stream_wait(self.settings.current, conditions(disk))
            return None if reason is None else str(reason)

        def keeps(origin: Origin) -> bool:
            disk = self.disk.read().to_state()
            return gate.keeps(self.settings.current, conditions(disk), origin)

        def enabled() -> bool:
            return self.settings.current.stream_through

        self._media.streams.rules = StreamRules(enabled, wait, keeps)
        self._media.downloads.streams.set_gate(wait)

    async def run(self) -> None:
        """Watch the network and the disk, and plan, until cancelled."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self.network.run())
            group.create_task(self._watch_disk())
            group.create_task(self.precacher.run())

    def want(self, view: QueueView) -> None:
        """The player's queue or playback changed."""
        self.precacher.want(view)

    def on_network(self, listener: NetworkListener) -> None:
        """Hear every reported network change (the play reporter replays owed plays)."""
        self.network.subscribe(listener)

    async def cache_json(self) -> dict[str, Any]:
        """`GET /api/v1/cache`."""
        return (await self.cache_status()).to_json()

    async def cache_status(self) -> CacheStatus:
        """The settings in force, the storage used and the files kept, now."""
        usage = self.disk.measure()
        sql = (
            "SELECT COUNT(*), COALESCE(SUM(origin = 'user'), 0) FROM downloads"
            " WHERE status = 'completed'"
        )
        row = await fetch_row(self._media.db, sql)
        items, pinned = (int(row[0]), int(row[1])) if row is not None else (0, 0)
        reasons = self.precacher.last_reasons
        meter = self.meter
        return CacheStatus(
            self.settings.current, usage, items, pinned, reasons, meter.downloaded, meter.metered
        )

    async def patch_config(self, changes: Mapping[str, Any]) -> CacheConfig:
        """`PATCH /api/v1/cache/config`: validated (ConfigError → 422), persisted, applied."""
        return await self.settings.patch(changes)

    # --- reactions --------------------------------------------------------------------------

    def _config_changed(self, config: CacheConfig) -> None:
        self.network.update_settings(self._network_settings(config))
        self.precacher.config_changed(config)
        self._spawn(self._after_config_change())

    async def _after_config_change(self) -> None:
        await self.network.poll()
        self.disk.measure()
        await self._media.downloads.gate_changed()  # a new limit, floor or concurrency
        await self._publish_cache()

    def _link_record(self) -> LinkRecord:
        return self.link.record(self._clock())

    def _network_changed(self, network: Network) -> None:
        state = network.to_state()
        self.link.network(state.online, self._clock(), metered=state.metered)
        self._on_event(NetworkChanged(network))
        self._spawn(self._media.downloads.gate_changed())
        self.precacher.poke()

    def _download_event(self, event: DownloadEvent) -> None:
        metered = self.network.current.to_state().metered
        moved = self.meter.observe(event, metered=metered)
        if moved and not metered:
            self.link.progress(moved, self._clock())
        # the executor's own queuing is no reason to plan again; a person's download is (a pin)
        queued_by_person = (
            event.kind is DownloadEventKind.QUEUED and event.download.origin is Origin.USER
        )
        if event.kind in _REPLAN_ON or queued_by_person:
            self.precacher.poke()

    async def _publish_cache(self) -> None:
        self._on_event(CacheChanged(await self.cache_status()))

    async def _watch_disk(self) -> None:
        """Every interval: tell the page how full the cache is; when a limit was crossed, replan
        and let the gate look again; when there is room, resume what a full disk stopped."""
        last = self.disk.last
        for tick in itertools.count(1):
            await asyncio.sleep(self._settings.disk_interval)
            latest = self.disk.last  # plans and GET /cache measure too
            known = None if latest is None or tick % WALK_EVERY == 0 else latest.used_bytes
            usage = self.disk.measure(known)
            if last is None or usage.reason != last.reason:
                self.precacher.poke()
            if usage != last:
                await self._resume_disk_full(usage)
                await self._media.downloads.gate_changed()  # what did not fit may fit now
                await self._publish_cache()
            last = usage

    async def _resume_disk_full(self, usage: DiskUsage) -> None:
        """Queue again the downloads a full disk paused, once the floor is clear."""
        if usage.below_floor or usage.disk_free_bytes <= 0:
            return
        manager = self._media.downloads
        paused = await manager.list_downloads((DownloadStatus.PAUSED,), None, limit=10_000)
        for row in paused.downloads:
            if row.wait_reason == WaitReason.DISK_FULL:
                try:
                    await manager.resume(row.id)
                except CacheError as err:  # removed meanwhile
                    log.info("could not resume download %s: %s", row.id, err)

    def _disk_state(self) -> DiskState:
        return self.disk.measure().to_state()

    def _spawn(self, work: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- wiring -----------------------------------------------------------------------------

    def _network_settings(self, config: CacheConfig) -> NetworkSettings:
        return replace(
            self._settings.network,
            wifi_only=config.wifi_only,
            server_configured=self._media.jellyfin is not None or self._media.subsonic is not None,
        )

    def _probe(self) -> Probe:
        jellyfin = self._media.settings.jellyfin
        timeout = aiohttp.ClientTimeout(total=self._settings.probe_timeout)

        # Any server answering counts (a Subsonic ping answers 200 even before auth).
        urls = [jellyfin.url.rstrip("/") + "/System/Info/Public"] if jellyfin else []
        if self._media.settings.subsonic is not None:
            urls.append(self._media.settings.subsonic.url.rstrip("/") + "/rest/ping")

        async def answers(url: str) -> bool:
            try:
                async with self._media.session.get(url, timeout=timeout) as resp:
                    return resp.status == 200
            except (aiohttp.ClientError, TimeoutError):
                return False

        async def probe() -> bool:
            for url in urls:
                if await answers(url):
                    return True
            return False

        return probe
