"""BaseItemDto (PascalCase JSON, nulls left out) to tapedeck's `Track` and `Album`."""

from __future__ import annotations

import re
from typing import Any

from cache.models import Album, AlbumId, ItemId, SourceKind, Track
from cache.quality import Profile

TICKS_PER_SECOND = 10_000_000
_EXTENSION = re.compile(r"^[a-z0-9]{1,8}$")


def ticks_to_seconds(ticks: object) -> float:
    """.NET ticks (100 ns) to seconds; missing or malformed values count as 0."""
    return int(ticks) / TICKS_PER_SECOND if isinstance(ticks, int | float) else 0.0


def media_source(dto: dict[str, Any]) -> dict[str, Any]:
    """The first MediaSource (present only when the request asked for `Fields=MediaSources`)."""
    sources = dto.get("MediaSources")
    if isinstance(sources, list) and sources and isinstance(sources[0], dict):
        return sources[0]
    return {}


def container_of(dto: dict[str, Any]) -> str:
    """A file extension for the item: the source file's suffix, else the first container name.

    Jellyfin writes some containers as lists ("mov,mp4,m4a,3gp,3g2,mj2"), so the file name wins.
    """
    source = media_source(dto)
    path = str(source.get("Path") or "")
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if _EXTENSION.match(suffix):
        return suffix
    container = str(source.get("Container") or dto.get("Container") or "")
    first = container.split(",", 1)[0].strip().lower()
    return first if _EXTENSION.match(first) else "bin"


def _names(items: object) -> tuple[str, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(str(i["Name"]) for i in items if isinstance(i, dict) and i.get("Name"))


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _optional_float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def track_from_dto(dto: dict[str, Any]) -> Track:
    """An `Audio` item as a Track; size and container come from MediaSources[0]."""
    source = media_source(dto)
    artists = tuple(str(a) for a in dto.get("Artists") or ()) or _names(dto.get("ArtistItems"))
    return Track(
        id=ItemId(str(dto["Id"])),
        title=str(dto.get("Name") or ""),
        album=str(dto.get("Album") or ""),
        album_id=AlbumId(str(dto.get("AlbumId") or dto.get("ParentId") or "")),
        artists=artists,
        duration=ticks_to_seconds(dto.get("RunTimeTicks") or source.get("RunTimeTicks")),
        track_number=_optional_int(dto.get("IndexNumber")),
        disc_number=_optional_int(dto.get("ParentIndexNumber")),
        container=container_of(dto),
        size=_optional_int(source.get("Size")) or 0,
        source=SourceKind.JELLYFIN,
        album_artist=str(dto.get("AlbumArtist") or ""),
        year=_optional_int(dto.get("ProductionYear")),
        replaygain_track=_optional_float(dto.get("NormalizationGain")),
        replaygain_album=_optional_float(dto.get("AlbumNormalizationGain")),
    )


def album_from_dto(dto: dict[str, Any]) -> Album:
    """A `MusicAlbum` item as an Album (track_count from ChildCount when the server sent it)."""
    artists = _names(dto.get("AlbumArtists")) or tuple(str(a) for a in dto.get("Artists") or ())
    return Album(
        id=AlbumId(str(dto["Id"])),
        title=str(dto.get("Name") or ""),
        artists=artists,
        year=_optional_int(dto.get("ProductionYear")),
        track_count=_optional_int(dto.get("ChildCount")) or 0,
        duration=ticks_to_seconds(dto.get("RunTimeTicks")),
    )


def transcode_query(profile: Profile, device_id: str, user_id: str) -> dict[str, str]:
    """The universal endpoint's query for a transcoded copy (ecosystem.md §5)."""
    bits = str(profile.kbps * 1000)
    query = {
        "audioCodec": profile.codec.value,
        "transcodingContainer": profile.container,
        "transcodingProtocol": "http",
        "audioBitRate": bits,
        "maxStreamingBitrate": bits,
        "deviceId": device_id,
    }
    if user_id:
        query["userId"] = user_id
    return query
