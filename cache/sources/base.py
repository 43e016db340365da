"""The seam between cache/ and a place tracks come from (Jellyfin, the local folder, Subsonic next).

A source keeps its part of the catalogue in step, gives a stream URL, and, when the download manager
fetches its files, an authorised request for each; it may take play reports. What it can do is
declared in `Capabilities`, so the manager and the HTTP handlers ask instead of comparing names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import aiohttp
import aiosqlite

from cache.catalogue import Catalogue
from cache.models import AlbumId, ItemId, Track

if TYPE_CHECKING:
    from cache.jellyfin.playstate import PlaybackState
    from cache.media import MediaSettings


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a source's downloads can do."""

    fetch: bool = True  # the download manager fetches its files (download_request); else the
    # source transfers them by itself (slskd) and feeds progress into the rows
    can_pause: bool = True  # a running transfer can be paused and resumed later
    can_retry: bool = True  # a failed download can be tried again
    local: bool = False  # its files are on this disk already: played from there, never downloaded


@dataclass(frozen=True, slots=True)
class DownloadRequest:
    """Where to GET an item's original file and which headers authorise it (kept out of logs)."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    # Content types that mean an error document came instead of the file (Subsonic answers
    # errors with HTTP 200): such an answer is refused, never written as the media file.
    error_types: tuple[str, ...] = ()


class PlayReports(Protocol):
    """A server that wants to hear what was played (Jellyfin's playstate; Subsonic's scrobble)."""

    async def report_playing(self, state: PlaybackState) -> None: ...

    async def report_progress(self, state: PlaybackState) -> None: ...

    async def report_stopped(self, state: PlaybackState, *, failed: bool = False) -> None: ...

    async def mark_played(self, item_id: ItemId, date_played: datetime) -> None: ...


class MediaSource(Protocol):
    """One configured source of tracks."""

    @property
    def name(self) -> str:
        """The `source` of its tracks and download rows ("jellyfin", "local")."""
        ...

    @property
    def capabilities(self) -> Capabilities: ...

    @property
    def user_id(self) -> str:
        """The source's user the downloads are made as ('' when there is none)."""
        ...

    @property
    def play_reports(self) -> PlayReports | None:
        """Where play reports go, or None when the source takes none."""
        ...

    async def sync_catalogue(self) -> object:
        """Bring the source's part of the catalogue up to date; a summary for the log (raises
        CacheError when the source cannot be reached)."""
        ...

    async def stream_url(self, item_id: ItemId) -> str:
        """A URL (or a local path) mpv can play the item from."""
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


@dataclass(frozen=True, slots=True)
class SourceContext:
    """What a source is built from: the settings and the parts every source shares."""

    settings: MediaSettings
    db: aiosqlite.Connection
    session: aiohttp.ClientSession
    catalogue: Catalogue


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """One kind of source in the registry: its name, and how to build it (None: not configured)."""

    name: str
    build: Callable[[SourceContext], MediaSource | None]
