"""Jellyfin's music playlists into cache.db (part of a full catalogue sync).

Playlists are `/Items?IncludeItemTypes=Playlist` (music ones have `MediaType: "Audio"`); their
entries come from `/Playlists/{id}/Items`, in order, each with its own `PlaylistItemId` (a track
may be there twice). Only the track ids are kept: the tracks themselves are the catalogue's.
"""

from __future__ import annotations

import logging
from typing import Any

from cache.jellyfin.client import JellyfinClient
from cache.models import ItemId, PlaylistId, SourceKind
from cache.playlists import MAX_ENTRIES, PlaylistRecord, Playlists

log = logging.getLogger(__name__)
PAGE = 500


async def sync_playlists(client: JellyfinClient, playlists: Playlists) -> int:
    """Every music playlist written (changed ones only), the server's gone ones removed."""
    found = [await _record(client, dto) for dto in await _playlist_items(client)]
    await playlists.upsert(found)
    removed = await playlists.remove_unseen(SourceKind.JELLYFIN, [p.id for p in found])
    log.info("Jellyfin playlists: %d, %d removed", len(found), removed)
    return len(found)


async def _playlist_items(client: JellyfinClient) -> list[dict[str, Any]]:
    params = {"IncludeItemTypes": "Playlist", "Recursive": "true", "SortBy": "SortName"}
    params |= {"EnableImages": "false", "EnableUserData": "false"}
    items = await _pages(client, "/Items", params)
    # Video playlists share the type; an older server may leave MediaType out on music ones.
    return [i for i in items if i.get("MediaType") in (None, "Audio") and i.get("Id")]


async def _record(client: JellyfinClient, dto: dict[str, Any]) -> PlaylistRecord:
    playlist = str(dto["Id"])
    params = {"EnableImages": "false", "EnableUserData": "false"}
    if client.user_id:
        params["userId"] = client.user_id
    entries = await _pages(client, f"/Playlists/{playlist}/Items", params)
    ids = [ItemId(str(e["Id"])) for e in entries if e.get("Type") == "Audio" and e.get("Id")]
    name = str(dto.get("Name") or "Playlist")
    return PlaylistRecord(PlaylistId(playlist), SourceKind.JELLYFIN, name, tuple(ids))


async def _pages(client: JellyfinClient, path: str, params: dict[str, str]) -> list[Any]:
    """Every item of a paged QueryResult (bounded: a playlist is cut at MAX_ENTRIES)."""
    found: list[Any] = []
    while len(found) < MAX_ENTRIES:
        query = params | {"StartIndex": str(len(found)), "Limit": str(PAGE)}
        data = await client.get_json(path, query)
        items = data.get("Items") if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            break
        found += [i for i in items if isinstance(i, dict)]
        if len(found) >= int(data.get("TotalRecordCount") or 0):
            break
    return found
