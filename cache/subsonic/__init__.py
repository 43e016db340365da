"""The Subsonic/OpenSubsonic media source (Navidrome, Gonic, Airsonic, supysonic); its client and
source load only when `[subsonic]` is configured (see cache/sources/registry.py)."""

from cache.subsonic.auth import AuthMethod, SubsonicConfig

__all__ = ["AuthMethod", "SubsonicConfig"]
