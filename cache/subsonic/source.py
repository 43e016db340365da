"""A Subsonic server behind the media-source Protocol, with its sync loop and cover lookup."""

from __future__ import annotations

import asyncio
import logging

import aiosqlite

from cache.db import fetch_row
from cache.errors import CacheError, SourceNotFoundError
from cache.models import AlbumId, ItemId, SourceKind, Track
from cache.quality import Profile
from cache.sources.base import (
    Capabilities,
    DownloadRequest,
    PlayReports,
    SourceContext,
    SourceEntry,
)
from cache.subsonic.catalogue import SyncResult, sync_catalogue
from cache.subsonic.client import SubsonicClient
from cache.subsonic.convert import album_record, server_id, track_from_song
from cache.subsonic.errors import SubsonicCredentialsError

log = logging.getLogger(__name__)


class SubsonicSource:
    """The manager fetches its originals (`download?id=`), pausable and resumable."""

    name = SourceKind.SUBSONIC.value
    capabilities = Capabilities()
    play_reports: PlayReports | None = (
        None  # plays go out as scrobbles (cache/subsonic/scrobble.py)
    )

    def __init__(self, client: SubsonicClient, db: aiosqlite.Connection) -> None:
        self.client = client
        self._db = db
        self.last_error: CacheError | None = None  # of the latest sync; None after a good one
        self.synced = asyncio.Event()  # set after the first successful sync

    @property
    def user_id(self) -> str:
        return self.client.config.username

    async def sync_catalogue(self) -> SyncResult:
        return await sync_catalogue(self.client, self._db)

    async def stream_url(self, item_id: ItemId) -> str:
        return await self.client.stream_url(server_id(item_id))

    async def track(self, item_id: ItemId) -> Track:
        row = await fetch_row(self._db, "SELECT album_id FROM tracks WHERE id = ?", (item_id,))
        if row is None:
            raise SourceNotFoundError(f"no Subsonic track {item_id} in the catalogue")
        for track in await self.album_tracks(AlbumId(row[0])):
            if track.id == item_id:
                return track
        raise SourceNotFoundError(f"the Subsonic server has no track {item_id} any more")

    async def album_tracks(self, album_id: AlbumId) -> list[Track]:
        body = await self.client.call("getAlbum", {"id": server_id(album_id)})
        album = body.get("album") or {}
        record = album_record(album)
        songs = [s for s in album.get("song") or [] if isinstance(s, dict) and "id" in s]
        return [track_from_song(s, record) for s in songs]

    async def download_request(self, item_id: ItemId) -> DownloadRequest:
        return await self.client.download_request(server_id(item_id))

    async def transcode_request(self, item_id: ItemId, profile: Profile) -> DownloadRequest:
        return await self.client.transcode_request(server_id(item_id), profile)

    async def refresh_auth(self, rejected: DownloadRequest) -> None:
        """A Subsonic server answers bad credentials inside HTTP 200, never with 401: a 401 here
        comes from a proxy in front, which logging in again cannot fix."""
        raise SubsonicCredentialsError("the server in front of Subsonic answered 401", 40)

    async def cover(self, album_id: str) -> tuple[bytes, str]:
        """The album's cover through `getCoverArt` (its cover id from the catalogue)."""
        sql = "SELECT image_tag FROM albums WHERE id = ? AND source = 'subsonic'"
        row = await fetch_row(self._db, sql, (album_id,))
        cover_id = row[0] if row and row[0] else server_id(album_id)
        return await self.client.cover(cover_id)

    async def run_sync(self, interval: float, retry_delays: tuple[float, ...]) -> None:
        """Sync now, then every `interval` seconds; after a failure sooner, with backoff. Never
        raises for the server's sake: wrong credentials are logged (once per change) and kept
        in `last_error` for the API, not a crash loop."""
        failures = 0
        while True:
            failures = 0 if await self._sync_once() else failures + 1
            await asyncio.sleep(_delay(failures, interval, retry_delays))

    async def _sync_once(self) -> bool:
        try:
            await self.sync_catalogue()
        except CacheError as err:
            if str(err) != str(self.last_error):
                level = (
                    logging.ERROR if isinstance(err, SubsonicCredentialsError) else logging.WARNING
                )
                log.log(level, "Subsonic catalogue not refreshed: %s", err)
            self.last_error = err
            self.client.forget_server()
            return False
        self.last_error = None
        self.synced.set()
        return True


def _delay(failures: int, interval: float, retry_delays: tuple[float, ...]) -> float:
    if not failures or not retry_delays:
        return interval
    return retry_delays[min(failures, len(retry_delays)) - 1]


def build(context: SourceContext) -> SubsonicSource | None:
    """The Subsonic source when `[subsonic] url` is configured."""
    config = context.settings.subsonic
    if config is None:
        return None
    return SubsonicSource(SubsonicClient(config, context.session), context.db)


ENTRY = SourceEntry(SourceKind.SUBSONIC.value, build)
