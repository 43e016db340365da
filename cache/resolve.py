"""Where a track plays from: its complete local copy whenever there is one, else through the cache
(stream-through: fetched once as it plays), else straight from its source's stream."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from cache.catalogue import Catalogue
from cache.downloads import DownloadManager
from cache.errors import CacheError
from cache.models import ItemId, PlayingFrom, Resolved, Track
from cache.sources.base import MediaSource
from cache.streamthrough import StreamThrough

log = logging.getLogger(__name__)


class PlayableResolver:
    """MediaCache's `resolve`, with the direct stream URL the endpoint falls back to."""

    def __init__(
        self, sources: Mapping[str, MediaSource], downloads: DownloadManager, catalogue: Catalogue
    ) -> None:
        self._sources = sources
        self._offline = downloads.offline
        self._catalogue = catalogue
        # what must stream goes through the cache, or straight to the server when it cannot
        self.streams = StreamThrough(downloads, catalogue.track, self.direct_url)

    async def resolve(self, track: Track) -> Resolved | None:
        """The complete local copy whenever there is one, else the track's stream; None: not
        playable now. The source says whether its files are on this disk already. A lookup
        only: the access that eviction reads is recorded when the play starts (cache/plays.py),
        not here, however often the player asks; a stream through the cache is fetched only
        when the player opens it."""
        source = self._sources.get(track.source.value)
        if source is None or not source.capabilities.local:
            downloaded = await self._offline.local_copy(track.id)
            if downloaded is not None:
                return Resolved(str(downloaded), PlayingFrom.LOCAL)
        if source is None:
            return None
        if source.capabilities.local:
            url = await self._stream_url(source, ItemId(track.id))
            return Resolved(url, PlayingFrom.LOCAL) if url is not None else None
        through = self.streams.url_for(track) if source.capabilities.fetch else None
        url = through or await self._stream_url(source, ItemId(track.id))
        return Resolved(url, PlayingFrom.STREAM) if url is not None else None

    async def direct_url(self, item_id: ItemId) -> str | None:
        """The source's own stream of `item_id` (what the endpoint sends mpv to when the track
        cannot go through the cache)."""
        track = await self._catalogue.track(item_id)
        source = self._sources.get(track.source.value) if track is not None else None
        return await self._stream_url(source, item_id) if source is not None else None

    async def _stream_url(self, source: MediaSource, item_id: ItemId) -> str | None:
        try:
            return await source.stream_url(item_id)
        except CacheError as err:
            log.info("no stream for %s: %s", item_id, err)
            return None
