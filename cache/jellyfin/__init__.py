"""The Jellyfin media source: client, BaseItemDto conversion and the offline catalogue.

The names below are loaded on first use (PEP 562), so importing one light submodule (the remote
control's message types, say) does not load the client and catalogue of a service that has no
Jellyfin configured.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cache.jellyfin.auth import ClientIdentity, JellyfinState, SavedSession, auth_header
    from cache.jellyfin.catalogue import SyncResult, sync_catalogue
    from cache.jellyfin.client import JellyfinClient, JellyfinConfig
    from cache.jellyfin.convert import album_from_dto, track_from_dto

_WHERE = {
    "ClientIdentity": "auth",
    "JellyfinState": "auth",
    "SavedSession": "auth",
    "auth_header": "auth",
    "SyncResult": "catalogue",
    "sync_catalogue": "catalogue",
    "JellyfinClient": "client",
    "JellyfinConfig": "client",
    "album_from_dto": "convert",
    "track_from_dto": "convert",
}

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


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
