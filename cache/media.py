"""MediaCache: what the player needs from cache/, behind one object.

The library is always read from the SQLite catalogue (local files plus the Jellyfin catalogue it
keeps in step), so browsing works the same online and offline. Playing prefers a complete local
file; a stream URL is the fallback.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import aiosqlite

from cache.artists import Artists
from cache.catalogue import Catalogue
from cache.covers import CoverStore, Fetch, Image, folder_image
from cache.db import open_or_rebuild
from cache.downloads import (
    DownloadConfig,
    DownloadEvent,
    DownloadEventKind,
    DownloadManager,
)
from cache.downloads.integrity import FileVerifier
from cache.errors import CacheError, ConfigError, ConfigProblem, SourceAuthError
from cache.events import CacheEvent, EventSink
from cache.local.source import LocalSource
from cache.models import Album, ItemId, Resolved, SourceKind, Track
from cache.playlists import Playlists
from cache.plays import PlayLog
from cache.repairs import RepairSink, ignore_repair
from cache.resolve import PlayableResolver
from cache.schema import MIGRATIONS
from cache.sources.base import MediaSource, SourceContext
from cache.sources.registry import build_sources
from cache.timeouts import woken

# The optional sources are imported only when configured: a local-only service never loads the
# Jellyfin client or slskd (start-up time and resident memory on a 512 MB board).
if TYPE_CHECKING:
    from cache.jellyfin import JellyfinClient, JellyfinConfig
    from cache.slskd.service import SlskdService, SlskdSettings
    from cache.subsonic.auth import SubsonicConfig
    from cache.subsonic.scrobble import Scrobbler
    from cache.subsonic.source import SubsonicSource

log = logging.getLogger(__name__)
Loop = Callable[[], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class MediaSettings:
    state_dir: Path
    cache_dir: Path
    music_dir: Path
    demo: bool = True
    scan_on_start: bool = True
    jellyfin: JellyfinConfig | None = None
    downloads: DownloadConfig = field(default_factory=DownloadConfig)
    sync_interval: float = 6 * 3600.0  # ask the server this often whether its catalogue changed
    full_sync_interval: float = 7 * 86400.0  # re-read the whole catalogue at least this often
    # After a failed sync: try again after these many seconds (the last one repeats), and at once
    # when the network watcher sees the server come back.
    sync_retry_delays: tuple[float, ...] = (10.0, 30.0, 60.0, 120.0, 300.0)
    slskd: SlskdSettings | None = None  # None: no slskd acquisition
    subsonic: SubsonicConfig | None = None  # None: no Subsonic server


class MediaCache:
    """Owns cache.db, the catalogue, the sources and the download manager."""

    def __init__(
        self,
        settings: MediaSettings,
        on_event: EventSink[CacheEvent] | None = None,
        on_repair: RepairSink = ignore_repair,
    ) -> None:
        self.settings = settings
        self._on_event = on_event
        self._on_repair = on_repair
        self.scanned = asyncio.Event()
        self._db: aiosqlite.Connection | None = None
        self._session: aiohttp.ClientSession | None = None
        self.sources: dict[str, MediaSource] = {}  # built by start() from the registry
        self.jellyfin: JellyfinClient | None = None
        self.slskd: SlskdService | None = None  # built by start() when slskd is configured
        self.subsonic: SubsonicSource | None = None  # built by start() when configured
        self.scrobbler: Scrobbler | None = None
        self._covers = CoverStore(settings.cache_dir / "covers")
        self._download_listeners: list[Callable[[DownloadEvent], None]] = []
        self._sync_now = asyncio.Event()
        self._sync_failures = 0  # failed syncs in a row
        self._server_seen = False

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        s = self.settings
        for folder in (s.state_dir, s.cache_dir, s.music_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._db = await open_or_rebuild(
            s.state_dir / "cache.db", MIGRATIONS, on_repair=self._on_repair
        )
        self.catalogue = Catalogue(self._db)
        self.playlists, self.artists = Playlists(self.catalogue), Artists(self.catalogue)
        self.plays = PlayLog(self._db)
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=None, connect=15), auto_decompress=False
        )
        self.sources = build_sources(SourceContext(s, self._db, self._session, self.catalogue))
        self._local = next(x for x in self.sources.values() if isinstance(x, LocalSource))
        self.scanner = self._local.scanner
        self.jellyfin = self._jellyfin_client()  # its covers, probe and reports
        self.subsonic, self.scrobbler = self._subsonic_parts()
        fetched = {name: x for name, x in self.sources.items() if x.capabilities.fetch}
        self.downloads = DownloadManager(
            self._db, s.cache_dir, fetched, session=self._session, config=s.downloads,
            on_event=self._download_event, on_repair=self._on_repair,
        )  # fmt: skip
        self.catalogue.set_offline_ids(self._offline_ids)
        self.verifier = FileVerifier(self._db, s.cache_dir, self.downloads.redownload)
        await self.downloads.start()
        self._build_slskd()
        self._resolver = PlayableResolver(self.sources, self.downloads, self.catalogue)
        self.streams = self._resolver.streams
        self._download_listeners.append(self.streams.download_event)
        await self.streams.start()

    def _jellyfin_client(self) -> JellyfinClient | None:
        if self.settings.jellyfin is None:
            return None
        from cache.jellyfin.source import JellyfinSource

        found = [x for x in self.sources.values() if isinstance(x, JellyfinSource)]
        return found[0].client if found else None

    def _subsonic_parts(self) -> tuple[SubsonicSource | None, Scrobbler | None]:
        if self.settings.subsonic is None:
            return None, None
        from cache.subsonic.scrobble import Scrobbler
        from cache.subsonic.source import SubsonicSource

        found = [x for x in self.sources.values() if isinstance(x, SubsonicSource)]
        return (found[0], Scrobbler(self.plays, found[0].client)) if found else (None, None)

    def _build_slskd(self) -> None:
        s = self.settings
        if s.slskd is None or self._db is None or self._session is None:
            return
        from cache.slskd.service import SlskdService

        queue_item = self.downloads.download_item if self.jellyfin is not None else None
        self.slskd = SlskdService(
            s.slskd, self._db, self.catalogue, s.cache_dir, self._session,
            on_event=self.downloads.feed, queue_item=queue_item,
        )  # fmt: skip
        self.downloads.attach(self.slskd)

    def loops(self) -> dict[str, Loop]:
        """cache/'s long-running loops by task name, for the service's supervisor to run (each is
        critical: if one dies, downloads or transfers would stop silently)."""
        found: dict[str, Loop] = {
            "downloads-scheduler": self.downloads.run,
            "stream-through": self.streams.run,
        }
        subsonic = self.subsonic
        if subsonic is not None:
            delays = self.settings.sync_interval, self.settings.sync_retry_delays
            found["subsonic-sync"] = lambda: subsonic.run_sync(*delays)
        if self.scrobbler is not None:
            found["subsonic-scrobble"] = self.scrobbler.run
        if self.slskd is not None:
            found["slskd-tracker"] = self.slskd.tracker.run
            if self.jellyfin is not None:
                found["slskd-library"] = self.slskd.watch_library
        return found

    @property
    def db(self) -> aiosqlite.Connection:
        """cache.db, shared by everything in cache/ (one connection, one writer)."""
        assert self._db is not None, "MediaCache.start() first"
        return self._db

    @property
    def session(self) -> aiohttp.ClientSession:
        """The HTTP session every request to a media server goes through."""
        assert self._session is not None, "MediaCache.start() first"
        return self._session

    async def stop(self) -> None:
        """Close the endpoint, the session and the database; the loops were cancelled before
        (supervisor)."""
        if hasattr(self, "streams"):
            await self.streams.stop()
        if self._session is not None:
            await self._session.close()
        if self._db is not None:
            await self._db.close()

    async def run(self) -> None:
        """Background upkeep for the life of the service: demo, scan, then Jellyfin sync."""
        try:
            await self._prepare_local()
        finally:
            self.scanned.set()
        if self.jellyfin is None:
            return
        while True:
            self._sync_now.clear()
            ok = await self.sync_jellyfin()
            self._sync_failures = 0 if ok else self._sync_failures + 1
            await woken(self._sync_now, self._next_sync_delay())

    def _next_sync_delay(self) -> float:
        if not self._sync_failures:
            return self.settings.sync_interval
        delays = self.settings.sync_retry_delays or (self.settings.sync_interval,)
        return delays[min(self._sync_failures, len(delays)) - 1]

    def server_reachable(self, reachable: bool) -> None:
        """The network watcher's view of the server: when it comes back after a failed sync,
        sync at once rather than at the next retry (a boot without the server must not leave
        the library empty for long)."""
        back = reachable and not self._server_seen
        self._server_seen = reachable
        if back and self.scrobbler is not None:
            self.scrobbler.nudge()  # plays made while it was away are owed to it now
        if back and self._sync_failures:
            self._sync_now.set()

    async def _prepare_local(self) -> None:
        s = self.settings
        try:
            if s.demo and await asyncio.to_thread(_ensure_demo, s.music_dir):
                log.info("the music folder %s was empty: made a demo library to play", s.music_dir)
            if s.scan_on_start:
                log.info("library scan: %s", await self._local.sync_catalogue())
        except (OSError, sqlite3.OperationalError) as err:
            log.error("could not scan the music folder %s: %s", s.music_dir, err)

    async def sync_jellyfin(self) -> bool:
        """Refresh the Jellyfin catalogue; False (and the old catalogue kept) when unreachable."""
        if self.jellyfin is None or self._db is None:
            return False
        from cache.jellyfin.freshness import refresh_catalogue

        try:
            await refresh_catalogue(
                self.jellyfin, self._db, full_every=self.settings.full_sync_interval
            )
        except SourceAuthError as err:
            # The server answered and refused us: a config mistake, not an outage to wait out.
            settings = self.settings.jellyfin
            key = "jellyfin.api_key" if settings and settings.api_key else "jellyfin.password"
            url = settings.url if settings else ""
            raise ConfigError([ConfigProblem(key, f"{err} at {url}")]) from err
        except (CacheError, sqlite3.OperationalError) as err:  # unreachable, or a full card
            log.warning("Jellyfin catalogue not refreshed: %s", err)
            return False
        if self.slskd is not None:
            self.slskd.library_changed()  # files slskd finished may be in Jellyfin now
        return True

    def sync_errors(self) -> dict[str, CacheError | None]:
        """Each server-backed source with its last sync's error (None: it went well)."""
        return {} if self.subsonic is None else {self.subsonic.name: self.subsonic.last_error}

    # -- library ----------------------------------------------------------------------------
    async def albums(self, q: str, offset: int, limit: int) -> tuple[list[Album], int]:
        return await self.catalogue.albums(q, offset, limit)

    async def album(self, album_id: str) -> Album | None:
        return await self.catalogue.album(album_id)

    async def track(self, item_id: str) -> Track | None:
        return await self.catalogue.track(item_id)

    async def tracks(self, item_ids: Sequence[str]) -> list[Track]:
        return await self.catalogue.tracks(item_ids)

    async def search(self, q: str) -> tuple[list[Track], list[Album]]:
        return await self.catalogue.search(q)

    async def cover(self, album_id: str) -> Image | None:
        album = await self.catalogue.album(album_id)
        if album is None or not album.tracks:
            return None
        first = album.tracks[0]
        if first.source is SourceKind.LOCAL:
            path = await self.local_file(first)
            return await asyncio.to_thread(folder_image, path.parent) if path else None
        subsonic = self.subsonic
        if first.source is SourceKind.SUBSONIC and subsonic is not None:
            return await self._remote_cover(album_id, lambda: subsonic.cover(album_id))
        if self.jellyfin is None:
            return self._covers.cached(album_id)
        client = self.jellyfin
        return await self._remote_cover(album_id, lambda: client.image(album_id))

    async def _remote_cover(self, album_id: str, fetch: Fetch) -> Image | None:
        """The cached cover, else the server's (kept like audio, so it shows offline)."""
        try:
            return await self._covers.get(album_id, fetch)
        except CacheError:
            return None

    # -- playing ------------------------------------------------------------------------------
    async def local_file(self, track: Track) -> Path | None:
        """A local track's file, refusing anything that would point outside music_dir."""
        return await self._local.file(ItemId(track.id))

    async def resolve(self, track: Track) -> Resolved | None:
        """Where `track` plays from (cache/resolve.py); None: not playable now."""
        return await self._resolver.resolve(track)

    # -- events -------------------------------------------------------------------------------
    async def _offline_ids(self, ids: Sequence[ItemId]) -> set[ItemId]:
        return {ItemId(i) for i in await self.downloads.offline.available_ids(ids)}

    def add_download_listener(self, listener: Callable[[DownloadEvent], None]) -> None:
        """Also hear every download event (the pre-cacher replans when one ends)."""
        self._download_listeners.append(listener)

    def _download_event(self, event: DownloadEvent) -> None:
        if event.kind is DownloadEventKind.COMPLETED:
            self.verifier.completed(event.download.id)
        if self._on_event is not None:
            self._on_event(event)
        for listener in list(self._download_listeners):
            listener(event)


def _ensure_demo(music_dir: Path) -> bool:
    # The demo's synthesiser loads only where it may be needed (`library.demo` on).
    from cache.local.demo import ensure_demo_library

    return ensure_demo_library(music_dir)
