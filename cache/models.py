"""Media objects shared by every source, the store and the API (the `Track`/`Album` of api.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NewType

ItemId = NewType("ItemId", str)
AlbumId = NewType("AlbumId", str)


class SourceKind(StrEnum):
    LOCAL = "local"
    JELLYFIN = "jellyfin"
    SLSKD = "slskd"
    SUBSONIC = "subsonic"
    RADIO = "radio"  # an internet radio station: streamed live, never downloaded or pre-cached


class Origin(StrEnum):
    """Why a file is in the cache (the downloads table's `origin`)."""

    USER = "user"  # asked for by a person (pinned); never evicted automatically
    AUTO = "auto"  # pre-cached by the policy


class Availability(StrEnum):
    NONE = "none"
    PARTIAL = "partial"
    FULL = "full"


class PlayingFrom(StrEnum):
    """Where a track's bytes come from (api.md's `playing_from`)."""

    LOCAL = "local"
    STREAM = "stream"


@dataclass(frozen=True, slots=True)
class Resolved:
    """Where to play a track from: a complete local file or the server's stream."""

    url: str
    playing_from: PlayingFrom


@dataclass(frozen=True, slots=True)
class Track:
    """One playable item. `size` is in bytes, `duration` in seconds."""

    id: ItemId
    title: str
    album: str
    album_id: AlbumId
    artists: tuple[str, ...]
    duration: float
    track_number: int | None
    disc_number: int | None
    container: str
    size: int
    source: SourceKind
    available_offline: bool = False
    album_artist: str = ""
    year: int | None = None
    replaygain_track: float | None = None
    replaygain_album: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "album": self.album,
            "album_id": self.album_id,
            "artists": list(self.artists),
            "duration": self.duration,
            "track_number": self.track_number,
            "disc_number": self.disc_number,
            "container": self.container,
            "size": self.size,
            "source": str(self.source),
            "available_offline": self.available_offline,
        }


@dataclass(frozen=True, slots=True)
class Album:
    id: AlbumId
    title: str
    artists: tuple[str, ...]
    year: int | None
    track_count: int
    duration: float
    available_offline: Availability = Availability.NONE
    tracks: tuple[Track, ...] | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "artists": list(self.artists),
            "year": self.year,
            "track_count": self.track_count,
            "duration": self.duration,
            "available_offline": str(self.available_offline),
        }
        if self.tracks is not None:
            body["tracks"] = [t.to_json() for t in self.tracks]
        return body


ArtistId = NewType("ArtistId", str)
PlaylistId = NewType("PlaylistId", str)


@dataclass(frozen=True, slots=True)
class Artist:
    """An album artist, from the catalogue's albums (every source's). `source` is the one source
    of their albums, or "mixed"; `albums` only on GET /library/artists/{id} (a page of them)."""

    id: ArtistId
    name: str
    album_count: int
    source: str
    albums: tuple[Album, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "album_count": self.album_count,
            "source": self.source,
        }
        if self.albums is not None:
            body["albums"] = [a.to_json() for a in self.albums]
        return body


@dataclass(frozen=True, slots=True)
class Playlist:
    """A playlist of a server or a .m3u file; counts are of the entries the catalogue knows.
    `skipped` counts a .m3u's lines that could not be used; `entries` only on GET .../{id}."""

    id: PlaylistId
    name: str
    track_count: int
    duration: float
    source: SourceKind
    available_offline: Availability = Availability.NONE
    skipped: int = 0
    entries: tuple[Track, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "track_count": self.track_count,
            "duration": self.duration,
            "source": str(self.source),
            "available_offline": str(self.available_offline),
            "skipped": self.skipped,
        }
        if self.entries is not None:
            body["entries"] = [t.to_json() for t in self.entries]
        return body
