"""Jellyfin behind the media-source Protocol: the client for the server's calls, the catalogue sync,
and the client again for play reports."""

from __future__ import annotations

import aiosqlite

from cache.jellyfin.auth import JellyfinState
from cache.jellyfin.catalogue import SyncResult, sync_catalogue
from cache.jellyfin.client import JellyfinClient
from cache.models import AlbumId, ItemId, SourceKind, Track
from cache.quality import Profile
from cache.sources.base import (
    Capabilities,
    DownloadRequest,
    PlayReports,
    SourceContext,
    SourceEntry,
)


class JellyfinSource:
    """A Jellyfin server as a `MediaSource`: the manager fetches its files, pausable and resumable."""

    name = SourceKind.JELLYFIN.value
    capabilities = Capabilities()

    def __init__(self, client: JellyfinClient, db: aiosqlite.Connection) -> None:
        self.client = client
        self._db = db

    @property
    def user_id(self) -> str:
        return self.client.user_id

    @property
    def play_reports(self) -> PlayReports:
        return self.client

    async def sync_catalogue(self) -> SyncResult:
        return await sync_catalogue(self.client, self._db)

    async def stream_url(self, item_id: ItemId) -> str:
        return await self.client.stream_url(item_id)

    async def track(self, item_id: ItemId) -> Track:
        return await self.client.track(item_id)

    async def album_tracks(self, album_id: AlbumId) -> list[Track]:
        return await self.client.album_tracks(album_id)

    async def download_request(self, item_id: ItemId) -> DownloadRequest:
        return await self.client.download_request(item_id)

    async def transcode_request(self, item_id: ItemId, profile: Profile) -> DownloadRequest:
        return await self.client.transcode_request(item_id, profile)

    async def refresh_auth(self, rejected: DownloadRequest) -> None:
        await self.client.refresh_auth(rejected)


def build(context: SourceContext) -> JellyfinSource | None:
    """The Jellyfin source when `[jellyfin] url` is configured."""
    config = context.settings.jellyfin
    if config is None:
        return None
    state = JellyfinState(context.settings.state_dir / "jellyfin")
    return JellyfinSource(JellyfinClient(config, state, context.session), context.db)


ENTRY = SourceEntry(SourceKind.JELLYFIN.value, build)
