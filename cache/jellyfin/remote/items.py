"""Item ids from a cast, as tracks: from the catalogue, else fetched from the server and kept.

An app may cast something added to the server since our last catalogue sync; those tracks are
fetched in one `/Items?Ids=` request and stored, so they play, download and report like the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cache.catalogue import AlbumRecord, Catalogue, TrackRecord
from cache.errors import SourceError
from cache.jellyfin.convert import track_from_dto
from cache.models import ItemId, SourceKind, Track

log = logging.getLogger(__name__)
FETCH_BATCH = 200  # ids per /Items request: keeps the query string well under URL limits


class ItemsClient(Protocol):
    async def get_json(self, path: str, params: dict[str, str] | None = None) -> Any: ...


@dataclass(frozen=True, slots=True)
class CastItems:
    """The tracks found, in the order cast (repeats kept), and the ids nobody knows."""

    tracks: tuple[Track, ...]
    unknown: tuple[ItemId, ...]


class CastResolver:
    """Resolves the item ids of a Play message."""

    def __init__(self, catalogue: Catalogue, client: ItemsClient) -> None:
        self._catalogue = catalogue
        self._client = client

    async def resolve(self, ids: Sequence[ItemId]) -> CastItems:
        known = {t.id: t for t in await self._catalogue.tracks(ids)}
        missing = [i for i in dict.fromkeys(ids) if i not in known]
        if missing:
            for track in await self._fetch(missing):
                known[track.id] = track
        tracks = tuple(known[i] for i in ids if i in known)
        unknown = tuple(i for i in missing if i not in known)
        return CastItems(tracks, unknown)

    async def _fetch(self, ids: Sequence[ItemId]) -> list[Track]:
        found: list[Track] = []
        try:
            for start in range(0, len(ids), FETCH_BATCH):
                batch = ",".join(ids[start : start + FETCH_BATCH])
                params = {"Ids": batch, "Fields": "MediaSources", "Recursive": "true"}
                data = await self._client.get_json("/Items", params)
                found += [track_from_dto(i) for i in data.get("Items", []) if _is_audio(i)]
        except (SourceError, KeyError, TypeError, ValueError, AttributeError) as err:
            log.warning("could not fetch cast items from Jellyfin: %s", err)
        if found:
            await self._store(found)
        return found

    async def _store(self, tracks: list[Track]) -> None:
        albums: dict[str, AlbumRecord] = {}
        for t in tracks:
            if (
                t.album_id
                and t.album_id not in albums
                and await self._catalogue.album(t.album_id) is None
            ):
                artists = (t.album_artist,) if t.album_artist else t.artists
                albums[t.album_id] = AlbumRecord(
                    t.album_id, SourceKind.JELLYFIN, t.album, artists, t.year
                )
        await self._catalogue.upsert(list(albums.values()), [TrackRecord(t) for t in tracks])
        log.info("fetched %d cast tracks the catalogue did not have yet", len(tracks))


def _is_audio(dto: Any) -> bool:
    return isinstance(dto, dict) and dto.get("Type") == "Audio"
