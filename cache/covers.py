"""Album covers, kept on disk like audio so the page shows them offline."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
TYPES = {ext: kind for kind, ext in EXTENSIONS.items()}
LOCAL_NAMES = ("cover.jpg", "folder.jpg", "cover.png", "front.jpg", "folder.png", "cover.webp")


@dataclass(frozen=True, slots=True)
class Image:
    data: bytes
    content_type: str


Fetch = Callable[[], Awaitable[tuple[bytes, str]]]


class CoverStore:
    """`<cache_dir>/covers/<hash of album id><ext>`: names never come from a client's text."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory

    def _base(self, album_id: str) -> Path:
        return self._dir / hashlib.sha1(album_id.encode()).hexdigest()[:32]

    def cached(self, album_id: str) -> Image | None:
        base = self._base(album_id)
        for ext, kind in TYPES.items():
            path = base.with_suffix(ext)
            if path.is_file():
                return Image(path.read_bytes(), kind)
        return None

    async def get(self, album_id: str, fetch: Fetch) -> Image:
        """The cached image, else fetch it, keep it (atomically) and return it."""
        found = await asyncio.to_thread(self.cached, album_id)
        if found is not None:
            return found
        data, kind = await fetch()
        kind = kind.split(";")[0].strip().lower()
        await asyncio.to_thread(
            self._write, self._base(album_id).with_suffix(EXTENSIONS.get(kind, ".img")), data
        )
        return Image(data, kind)

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


def folder_image(folder: Path) -> Image | None:
    """A cover image standing next to local music files."""
    for name in LOCAL_NAMES:
        image = folder / name
        if image.is_file():
            return Image(image.read_bytes(), TYPES[image.suffix])
    return None
