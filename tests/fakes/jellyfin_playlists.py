"""The fake Jellyfin's playlists (shared/reference/ecosystem.md §7, Jellyfin's PlaylistsController).

A playlist is an item of type `Playlist` (`MediaType: "Audio"` for music) listed by `/Items`; its
entries come from `GET /Playlists/{id}/Items` as a `QueryResult` of track DTOs in order, each with
a `PlaylistItemId` of its own (a track may appear twice), paged by `StartIndex`/`Limit`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

TICKS = 10_000_000


@dataclass
class FakePlaylist:
    id: str
    name: str
    item_ids: list[str]
    media_type: str = "Audio"  # "Video" for a video playlist, which a music client leaves out
    entry_ids: list[str] = field(default_factory=list)  # PlaylistItemId of each entry
    saved: datetime = field(default_factory=lambda: datetime.now(UTC))  # DateLastSaved

    def set_items(self, item_ids: list[str]) -> None:
        """The playlist edited on the server: new entries, a later DateLastSaved."""
        self.item_ids = list(item_ids)
        self.entry_ids = [uuid.uuid4().hex for _ in item_ids]
        self.saved = datetime.now(UTC)


def new_playlist(name: str, item_ids: list[str], media_type: str = "Audio") -> FakePlaylist:
    playlist = FakePlaylist(uuid.uuid4().hex, name, [], media_type)
    playlist.set_items(item_ids)
    return playlist


def playlist_dto(playlist: FakePlaylist, runtime: Callable[[str], float]) -> dict[str, Any]:
    """The BaseItemDto of a playlist as `/Items` lists it."""
    return {
        "Name": playlist.name,
        "Id": playlist.id,
        "Type": "Playlist",
        "MediaType": playlist.media_type,
        "IsFolder": True,
        "ChildCount": len(playlist.item_ids),
        "RunTimeTicks": int(sum(runtime(i) for i in playlist.item_ids) * TICKS),
        "LocationType": "FileSystem",
    }


def entries_response(
    request: web.Request,
    playlist: FakePlaylist | None,
    track_dto: Callable[[str], dict[str, Any] | None],
) -> web.Response:
    """`/Playlists/{id}/Items`: 404 for an unknown playlist, else a page of its entries."""
    if playlist is None:
        return web.Response(status=404, text="Playlist not found")
    q = {k.lower(): v for k, v in request.query.items()}
    items = []
    for item_id, entry_id in zip(playlist.item_ids, playlist.entry_ids, strict=True):
        dto = track_dto(item_id)
        if dto is not None:  # an entry whose item is gone is not listed
            items.append(dto | {"PlaylistItemId": entry_id})
    start = int(q.get("startindex", "0"))
    limit = int(q["limit"]) if "limit" in q else len(items)
    body = {
        "Items": items[start : start + limit],
        "TotalRecordCount": len(items),
        "StartIndex": start,
    }
    return web.json_response(body)
