"""The seam between the download manager and a media source it can fetch files from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from cache.catalogue import Catalogue
from cache.errors import SourceNotFoundError, SourceUnavailableError
from cache.models import AlbumId, ItemId, SourceKind, Track


@dataclass(frozen=True, slots=True)
class DownloadRequest:
    """Where to GET an item's original file and which headers authorise it (kept out of logs)."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)


class MediaSource(Protocol):
    """What the manager needs from a source: metadata, a request to fetch, and a way to re-login."""

    @property
    def kind(self) -> SourceKind: ...

    @property
    def user_id(self) -> str:
        """The source's user the downloads are made as ('' when there is none)."""
        ...

    async def track(self, item_id: ItemId) -> Track:
        """Fresh metadata for one item (raises SourceNotFoundError / SourceUnavailableError ...)."""
        ...

    async def album_tracks(self, album_id: AlbumId) -> list[Track]:
        """The album's tracks in disc/track order."""
        ...

    async def download_request(self, item_id: ItemId) -> DownloadRequest:
        """The authorised request for the item's original file."""
        ...

    async def refresh_auth(self, rejected: DownloadRequest) -> None:
        """The server answered 401 to `rejected`: log in again (once), or raise SourceAuthError."""
        ...


class Sources:
    """The configured sources by name, and what the manager asks of them about tracks: the
    catalogue answers first (it works offline), the source when the catalogue does not know."""

    def __init__(self, sources: Mapping[str, MediaSource], catalogue: Catalogue) -> None:
        self._sources = dict(sources)
        self._catalogue = catalogue

    def get(self, name: str | None) -> MediaSource:
        """The source called `name`; None picks the only one when there is exactly one."""
        if name is None and len(self._sources) == 1:
            return next(iter(self._sources.values()))
        if name is None or name not in self._sources:
            raise SourceNotFoundError(f"no media source named {name!r} is configured")
        return self._sources[name]

    async def track(self, item_id: ItemId, source: str | None) -> Track:
        """One item's metadata."""
        track = await self._catalogue.track(item_id)
        if track is not None:
            return track
        return await self.get(source).track(item_id)

    async def album_tracks(self, album_id: AlbumId, source: str | None) -> list[Track]:
        """An album's tracks in disc/track order, from the catalogue when the source is away."""
        try:
            return await self.get(source).album_tracks(album_id)
        except SourceUnavailableError:
            tracks = await self._catalogue.album_tracks(album_id)
            if not tracks:
                raise
            return tracks
