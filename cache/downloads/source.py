"""The seams between the download manager and the sources its rows belong to.

Two kinds, told apart by their `Capabilities`, never by name: a source whose files the manager
fetches (a `FetchSource`: Jellyfin, Subsonic), and one that transfers by itself and feeds its
progress into the same rows (a `TransferSource`: slskd).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from cache.catalogue import Catalogue
from cache.downloads.models import Download
from cache.errors import SourceNotFoundError, SourceUnavailableError
from cache.models import AlbumId, ItemId, Track
from cache.quality import Profile
from cache.sources.base import Capabilities
from cache.sources.base import DownloadRequest as DownloadRequest  # where sources import it from

FETCHED = Capabilities()
UNKNOWN = Capabilities(fetch=False, can_pause=False, can_retry=False)
"""A row whose source is not configured (any more): nothing can be done to it but delete it."""


class FetchSource(Protocol):
    """What the manager needs of a source whose files it fetches (part of `MediaSource`)."""

    @property
    def user_id(self) -> str: ...

    async def track(self, item_id: ItemId) -> Track: ...

    async def album_tracks(self, album_id: AlbumId) -> list[Track]: ...

    async def download_request(self, item_id: ItemId) -> DownloadRequest: ...

    async def refresh_auth(self, rejected: DownloadRequest) -> None: ...


@runtime_checkable
class TranscodeSource(Protocol):
    """A fetched source that can also hand out a transcoded copy (Jellyfin's `/universal`;
    Subsonic's `stream?format=&maxBitRate=&estimateContentLength=true`).

    A transcode comes with no length and no Range: it is fetched from zero every time and judged
    complete by its decoded duration."""

    async def transcode_request(self, item_id: ItemId, profile: Profile) -> DownloadRequest: ...


class TransferSource(Protocol):
    """A source that moves its files itself: the manager only hands it the user's commands.

    Its progress arrives through `DownloadManager.feed`; it writes its own transfer's columns."""

    @property
    def name(self) -> str: ...

    @property
    def capabilities(self) -> Capabilities: ...

    async def cancel_transfer(self, row: Download) -> None:
        """Stop the transfer at the source and record the row cancelled."""
        ...

    async def retry_transfer(self, row: Download) -> None:
        """Start a failed transfer again, with a fresh retry budget."""
        ...


class Sources:
    """The sources by name, and what the manager asks of them about tracks: the catalogue
    answers first (it works offline), the source when the catalogue does not know."""

    def __init__(self, fetched: Mapping[str, FetchSource], catalogue: Catalogue) -> None:
        self._fetched = dict(fetched)
        self._transfers: dict[str, TransferSource] = {}
        self._catalogue = catalogue

    def attach(self, source: TransferSource) -> None:
        """Add a source that transfers by itself."""
        self._transfers[source.name] = source

    @property
    def fetched(self) -> tuple[str, ...]:
        """The names of the sources whose files the manager fetches."""
        return tuple(self._fetched)

    def capabilities(self, name: str) -> Capabilities:
        """What a row of source `name` can do."""
        if name in self._fetched:
            return FETCHED
        transfer = self._transfers.get(name)
        return transfer.capabilities if transfer is not None else UNKNOWN

    def transfer(self, name: str) -> TransferSource | None:
        """The self-transferring source called `name`, if it is one."""
        return self._transfers.get(name)

    def get(self, name: str | None) -> FetchSource:
        """The fetched source called `name`; None picks the only one when there is exactly one."""
        if name is None and len(self._fetched) == 1:
            return next(iter(self._fetched.values()))
        if name is None or name not in self._fetched:
            raise SourceNotFoundError(f"no media source named {name!r} is configured")
        return self._fetched[name]

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
