"""The service's config as cache/'s settings. The MediaCache itself is the Library the API
browses (player/playback/library.py) and the Resolver the controller plays from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cache.downloads import DownloadConfig
from cache.media import MediaSettings
from player import __version__
from player.config import Config
from player.media.subsonic import subsonic_config

if TYPE_CHECKING:
    from cache.jellyfin import JellyfinConfig
    from cache.slskd.service import SlskdSettings


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
        subsonic=subsonic_config(config.subsonic),
        downloads=DownloadConfig(
            concurrency=d.concurrency, retry_delays=d.retry_delays, max_retries=d.max_retries,
            read_timeout=d.stall_timeout,
        ),
    )  # fmt: skip


def jellyfin_config(config: Config) -> JellyfinConfig | None:
    j = config.jellyfin
    if not j.url:
        return None
    from cache.jellyfin import JellyfinConfig  # only with Jellyfin configured

    return JellyfinConfig(  # password_file was read by the config loader
        url=j.url, username=j.username, password=j.password, api_key=j.api_key,
        device_name=config.server.name, version=__version__,
    )  # fmt: skip


def slskd_settings(config: Config) -> SlskdSettings | None:
    """The slskd part of cache/'s settings; None when `[slskd] url` is empty."""
    k = config.slskd
    if not k.url:
        return None
    api_key = k.api_key  # api_key_file was read by the config loader
    downloads_dir = Path(k.downloads_dir) if k.downloads_dir else None
    from cache.slskd.service import SlskdSettings  # only with slskd configured

    return SlskdSettings(
        url=k.url, api_key=api_key, downloads_dir=downloads_dir, poll_active=k.poll_active,
        poll_idle=k.poll_idle, max_retries=k.max_retries,
    )  # fmt: skip
