"""The Jellyfin media source: client, BaseItemDto conversion and the offline catalogue."""

from cache.jellyfin.auth import ClientIdentity, JellyfinState, SavedSession, auth_header
from cache.jellyfin.catalogue import SyncResult, sync_catalogue
from cache.jellyfin.client import JellyfinClient, JellyfinConfig
from cache.jellyfin.convert import album_from_dto, track_from_dto

__all__ = [
    "ClientIdentity",
    "JellyfinClient",
    "JellyfinConfig",
    "JellyfinState",
    "SavedSession",
    "SyncResult",
    "album_from_dto",
    "auth_header",
    "sync_catalogue",
    "track_from_dto",
]
