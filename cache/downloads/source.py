"""The seam between the download manager and a media source it can fetch files from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

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
