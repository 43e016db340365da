"""The local music folder as the player's Library and Resolver (the embedded default source)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cache.catalogue import Catalogue

from cache.models import Album, SourceKind, Track
from player.library import Cover
from player.resolve import PlayingFrom, Resolved


class LocalLibrary:
    """Library routes served from the catalogue; covers from a folder image next to the files."""

    def __init__(self, catalogue: Catalogue, music_dir: Path) -> None:
        self.catalogue = catalogue
        self.music_dir = music_dir

    async def albums(self, q: str, offset: int, limit: int) -> tuple[list[Album], int]:
        return await self.catalogue.albums(q, offset, limit)

    async def album(self, album_id: str) -> Album | None:
        return await self.catalogue.album(album_id)

    async def track(self, item_id: str) -> Track | None:
        return await self.catalogue.track(item_id)

    async def tracks(self, item_ids: Sequence[str]) -> list[Track]:
        return await self.catalogue.tracks(item_ids)

    async def search(self, q: str) -> tuple[list[Track], list[Album]]:
        return await self.catalogue.search(q)

    async def cover(self, album_id: str) -> Cover | None:
        album = await self.catalogue.album(album_id)
        if not album or not album.tracks:
            return None
        path = await self.local_file(album.tracks[0])
        return _folder_image(path.parent) if path else None

    async def local_file(self, track: Track) -> Path | None:
        """The file of a local track, refusing anything that would point outside music_dir."""
        if track.source is not SourceKind.LOCAL:
            return None
        rel = await self.catalogue.local_path(track.id)
        if rel is None:
            return None
        root = self.music_dir.resolve()
        path = (root / rel).resolve()
        return path if path.is_relative_to(root) and path.is_file() else None

    async def resolve(self, track: Track) -> Resolved | None:
        path = await self.local_file(track)
        return Resolved(str(path), PlayingFrom.LOCAL) if path else None


COVER_NAMES = ("cover.jpg", "folder.jpg", "cover.png", "front.jpg", "folder.png")


def _folder_image(folder: Path) -> Cover | None:
    for name in COVER_NAMES:
        image = folder / name
        if image.is_file():
            kind = "image/png" if name.endswith(".png") else "image/jpeg"
            return Cover(image.read_bytes(), kind)
    return None
