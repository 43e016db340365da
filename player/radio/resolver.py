"""The controller's Resolver with radio: a station's stream is found here (its .pls or .m3u read),
every other track goes to the media cache; and the Player object's item for a station."""

from __future__ import annotations

import logging
from typing import Any

from cache.models import PlayingFrom, Resolved, SourceKind, Track
from player.playback.resolve import Resolver
from player.radio.playlists import FetchLimits, StationUnreachable, stream_url
from player.radio.stations import RadioBook

log = logging.getLogger(__name__)


class RadioResolver:
    def __init__(self, book: RadioBook, media: Resolver, limits: FetchLimits | None = None) -> None:
        self._book = book
        self._media = media
        self._limits = limits or FetchLimits()

    async def resolve(self, track: Track) -> Resolved | None:
        if track.source is not SourceKind.RADIO:
            return await self._media.resolve(track)
        station = self._book.of_track(track)
        if station is None:
            log.info("%s is no longer a station", track.title)
            return None
        try:
            url = await stream_url(station.url, self._limits)
        except StationUnreachable as err:
            log.warning("station %s: %s", station.name, err)
            return None
        return Resolved(url, PlayingFrom.STREAM)  # live: never a file, never a download

    def item_json(self, track: Track, stream_title: str | None) -> dict[str, Any]:
        """api.md: while a station plays, `Player.item` is `{id, title, station}`; the title is
        the stream's ICY title when it sends one."""
        station = self._book.of_track(track)
        if station is None:
            return track.to_json()
        return {"id": track.id, "title": stream_title or station.name, "station": station.to_json()}
