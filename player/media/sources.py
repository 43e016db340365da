"""The player's view of cache/: the MediaCache as the Library the API browses and the Resolver
the controller plays from."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cache.covers import Image
from cache.downloads import DownloadConfig
from cache.media import MediaCache, MediaSettings
from cache.models import Album, Track
from player import __version__
from player.config import Config
from player.playback.resolve import PlayingFrom, Resolved

if TYPE_CHECKING:
    from cache.jellyfin import JellyfinConfig
    from cache.slskd.service import SlskdSettings


class MediaLibrary:
    """Implements `Library` and `Resolver` over a MediaCache."""

    def __init__(self, media: MediaCache) -> None:
        self.media = media

    async def albums(self, q: str, offset: int, limit: int) -> tuple[list[Album], int]:
        return await self.media.albums(q, offset, limit)

    async def album(self, album_id: str) -> Album | None:
        return await self.media.album(album_id)

    async def track(self, item_id: str) -> Track | None:
        return await self.media.track(item_id)

    async def tracks(self, item_ids: Sequence[str]) -> list[Track]:
        return await self.media.tracks(item_ids)

    async def search(self, q: str) -> tuple[list[Track], list[Album]]:
        return await self.media.search(q)

    async def cover(self, album_id: str) -> Image | None:
        return await self.media.cover(album_id)

    async def resolve(self, track: Track) -> Resolved | None:
        where = await self.media.locate(track)
        if where is None:
            return None
        return Resolved(where.url, PlayingFrom.LOCAL if where.local else PlayingFrom.STREAM)


def media_settings(config: Config) -> MediaSettings:
    """Translate the service's config into cache/'s settings."""
    d = config.downloads
    return MediaSettings(
        state_dir=config.state_dir,
        cache_dir=config.cache_dir,
        music_dir=config.music_dir,
        demo=config.library.demo,
        scan_on_start=config.library.scan_on_start,
        jellyfin=jellyfin_config(config),
        slskd=slskd_settings(config),
        downloads=DownloadConfig(
            concurrency=d.concurrency, retry_delays=d.retry_delays, max_retries=d.max_retries,
            read_timeout=d.stall_timeout,
        ),
    )  # fmt: skip


def jellyfin_config(config: Config) -> JellyfinConfig | None:
    j = config.jellyfin
    if not j.url:
        return None
    password = j.password
    if j.password_file:
        password = Path(j.password_file).read_text(encoding="utf-8").strip()
    from cache.jellyfin import JellyfinConfig  # only with Jellyfin configured

    return JellyfinConfig(
        url=j.url, username=j.username, password=password, api_key=j.api_key,
        device_name=config.server.name, version=__version__,
    )  # fmt: skip


def slskd_settings(config: Config) -> SlskdSettings | None:
    """The slskd part of cache/'s settings; None when `[slskd] url` is empty."""
    k = config.slskd
    if not k.url:
        return None
    api_key = k.api_key
    if k.api_key_file:
        api_key = Path(k.api_key_file).read_text(encoding="utf-8").strip()
    downloads_dir = Path(k.downloads_dir) if k.downloads_dir else None
    from cache.slskd.service import SlskdSettings  # only with slskd configured

    return SlskdSettings(
        url=k.url, api_key=api_key, downloads_dir=downloads_dir, poll_active=k.poll_active,
        poll_idle=k.poll_idle, max_retries=k.max_retries,
    )  # fmt: skip
