"""Subsonic JSON (getAlbumList2 entries, getAlbum songs) as catalogue rows.

Catalogue ids are the server's ids behind an `s-` prefix: a Jellyfin id is 32 hex digits and a
local one starts with `l`/`al`, so the prefix keeps every source's ids apart.
"""

from __future__ import annotations

from typing import Any

from cache.catalogue import AlbumRecord
from cache.models import AlbumId, ItemId, SourceKind, Track

PREFIX = "s-"


def item_id(server_id: str) -> ItemId:
    return ItemId(PREFIX + server_id)


def album_id(server_id: str) -> AlbumId:
    return AlbumId(PREFIX + server_id)


def server_id(catalogue_id: str) -> str:
    """The server's own id for one of our ids."""
    return catalogue_id.removeprefix(PREFIX)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def album_record(entry: dict[str, Any]) -> AlbumRecord:
    """An album of getAlbumList2/getAlbum (its cover id kept as the image tag)."""
    artist = _text(entry.get("artist"))
    return AlbumRecord(
        id=album_id(str(entry["id"])),
        source=SourceKind.SUBSONIC,
        title=_text(entry.get("name"), _text(entry.get("title"), "Unknown album")),
        artists=(artist,) if artist else (),
        year=_int(entry.get("year")),
        image_tag=_text(entry.get("coverArt")) or None,
    )


def _replaygain(song: dict[str, Any], key: str) -> float | None:
    gain = song.get("replayGain")
    value = gain.get(key) if isinstance(gain, dict) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def track_from_song(song: dict[str, Any], album: AlbumRecord) -> Track:
    """A song (Child) of getAlbum as a Track of `album`."""
    artist = _text(song.get("artist"))
    duration = song.get("duration")
    return Track(
        id=item_id(str(song["id"])),
        title=_text(song.get("title"), "Untitled"),
        album=_text(song.get("album"), album.title),
        album_id=album.id,
        artists=(artist,) if artist else album.artists,
        duration=float(duration) if isinstance(duration, int | float) else 0.0,
        track_number=_int(song.get("track")),
        disc_number=_int(song.get("discNumber")),
        container=_text(song.get("suffix"), "bin").lower(),
        size=_int(song.get("size")) or 0,
        source=SourceKind.SUBSONIC,
        album_artist=album.artists[0] if album.artists else "",
        year=_int(song.get("year")) or album.year,
        replaygain_track=_replaygain(song, "trackGain"),
        replaygain_album=_replaygain(song, "albumGain"),
    )
