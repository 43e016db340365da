"""A Subsonic server's playlists into cache.db (part of each catalogue sync): `getPlaylists`,
then `getPlaylist?id=` for the entries in order. Ids keep the `s-` prefix of every Subsonic id."""

from __future__ import annotations

import logging
from typing import Any

from cache.models import PlaylistId, SourceKind
from cache.playlists import PlaylistRecord, Playlists
from cache.subsonic.client import SubsonicClient
from cache.subsonic.convert import item_id
from cache.subsonic.errors import SubsonicError

log = logging.getLogger(__name__)


async def sync_playlists(client: SubsonicClient, playlists: Playlists) -> int:
    """Every playlist the user sees written (changed ones only); the server's gone ones removed.
    A server that answers the playlist calls with an error (not every one has them) keeps the
    playlists stored before, and the albums' sync stands."""
    try:
        return await _sync(client, playlists)
    except SubsonicError as err:
        log.warning("Subsonic playlists not read: %s", err)
        return 0


async def _sync(client: SubsonicClient, playlists: Playlists) -> int:
    body = await client.call("getPlaylists")
    listed = (body.get("playlists") or {}).get("playlist") or []
    found = [await _record(client, p) for p in listed if isinstance(p, dict) and p.get("id")]
    await playlists.upsert(found)
    removed = await playlists.remove_unseen(SourceKind.SUBSONIC, [p.id for p in found])
    log.info("Subsonic playlists: %d, %d removed", len(found), removed)
    return len(found)


async def _record(client: SubsonicClient, listed: dict[str, Any]) -> PlaylistRecord:
    server_id = str(listed["id"])
    body = await client.call("getPlaylist", {"id": server_id})
    playlist = body.get("playlist") or {}
    entries = [e for e in playlist.get("entry") or [] if isinstance(e, dict) and e.get("id")]
    name = str(playlist.get("name") or listed.get("name") or "Playlist")
    ids = tuple(item_id(str(e["id"])) for e in entries)
    return PlaylistRecord(PlaylistId(f"s-{server_id}"), SourceKind.SUBSONIC, name, ids)
