"""What the API and the controller need from "the music": the configured source, online or not."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from cache.artists import Artists
from cache.covers import Image
from cache.models import Album, Track
from cache.playlists import Playlists


class Library(Protocol):
    playlists: Playlists  # every source's playlists, with their tracks
    artists: Artists  # album artists, their albums and tracks

    async def albums(self, q: str, offset: int, limit: int) -> tuple[list[Album], int]: ...

    async def album(self, album_id: str) -> Album | None:
        """The album with its tracks in disc/track order, or None."""

    async def track(self, item_id: str) -> Track | None: ...

    async def tracks(self, item_ids: Sequence[str]) -> list[Track]:
        """The tracks that exist, in the order asked for."""

    async def search(self, q: str) -> tuple[list[Track], list[Album]]: ...

    async def cover(self, album_id: str) -> Image | None: ...
