"""The local music folder behind the media-source Protocol: its catalogue is the folder's scan, a
track plays from its file, and nothing is ever downloaded from it."""

from __future__ import annotations

from pathlib import Path

from cache.catalogue import Catalogue
from cache.errors import SourceError, SourceNotFoundError
from cache.local.scanner import Scanner, ScanSummary
from cache.models import AlbumId, ItemId, SourceKind, Track
from cache.sources.base import (
    Capabilities,
    DownloadRequest,
    PlayReports,
    SourceContext,
    SourceEntry,
)


class LocalSource:
    """`music_dir` as a `MediaSource`."""

    name = SourceKind.LOCAL.value
    # Its files are on this disk already: nothing to fetch, pause or retry.
    capabilities = Capabilities(fetch=False, can_pause=False, can_retry=False, local=True)
    user_id = ""
    play_reports: PlayReports | None = None

    def __init__(self, catalogue: Catalogue, music_dir: Path) -> None:
        self._catalogue = catalogue
        self._root = music_dir
        self.scanner = Scanner(catalogue, music_dir)

    async def sync_catalogue(self) -> ScanSummary:
        return await self.scanner.scan()

    async def file(self, item_id: ItemId) -> Path | None:
        """The track's file, refusing anything that would point outside music_dir."""
        rel = await self._catalogue.local_path(item_id)
        if rel is None:
            return None
        root = self._root.resolve()
        path = (root / rel).resolve()
        return path if path.is_relative_to(root) and path.is_file() else None

    async def stream_url(self, item_id: ItemId) -> str:
        path = await self.file(item_id)
        if path is None:
            raise SourceNotFoundError(f"the local file of {item_id} is gone")
        return str(path)

    async def track(self, item_id: ItemId) -> Track:
        track = await self._catalogue.track(item_id)
        if track is None or track.source is not SourceKind.LOCAL:
            raise SourceNotFoundError(f"no local track {item_id}")
        return track

    async def album_tracks(self, album_id: AlbumId) -> list[Track]:
        return await self._catalogue.album_tracks(album_id)

    async def download_request(self, item_id: ItemId) -> DownloadRequest:
        raise SourceError("a local file is never downloaded: it is on this disk already")

    async def refresh_auth(self, rejected: DownloadRequest) -> None:
        return None


def build(context: SourceContext) -> LocalSource:
    """The music folder is always a source (the embedded default plays it)."""
    return LocalSource(context.catalogue, context.settings.music_dir)


ENTRY = SourceEntry(SourceKind.LOCAL.value, build)
