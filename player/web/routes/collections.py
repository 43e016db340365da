"""More ways into the library: artists (with their albums) and playlists (with their entries),
and downloading a playlist like an album."""

from __future__ import annotations

from aiohttp import web

from cache.downloads import Download
from cache.models import Track
from player.web.errors import not_found
from player.web.keys import services
from player.web.spec import Field, Param, RouteTable, query_int, read_body
from player.web.wire import download_json

routes = RouteTable()
TAG = "library"
PAGE = (Param("offset", type="integer"), Param("limit", type="integer"))


def _page(request: web.Request) -> tuple[int, int]:
    return query_int(request, "offset", 0, 0, 10**9), query_int(request, "limit", 50, 1, 500)


@routes.route(
    "GET", "/api/v1/library/artists", "Album artists, paged", TAG,
    params=(Param("q"), *PAGE), response="ArtistPage",
)  # fmt: skip
async def artists(request: web.Request) -> web.Response:
    offset, limit = _page(request)
    found, total = await services(request).library.artists.page(
        request.query.get("q", ""), offset, limit
    )
    return web.json_response({"items": [a.to_json() for a in found], "total": total})


@routes.route(
    "GET", "/api/v1/library/artists/{artist_id}", "An artist with a page of their albums", TAG,
    params=(Param("artist_id", "path"), *PAGE), response="Artist",
)  # fmt: skip
async def artist(request: web.Request) -> web.Response:
    artist_id = request.match_info["artist_id"]
    found = await services(request).library.artists.get(artist_id, *_page(request))
    if found is None:
        raise not_found(f"no artist {artist_id[:64]!r}")
    return web.json_response(found.to_json())


@routes.route(
    "GET", "/api/v1/library/playlists", "Playlists, paged", TAG, params=PAGE,
    response="PlaylistPage",
)  # fmt: skip
async def playlists(request: web.Request) -> web.Response:
    found, total = await services(request).library.playlists.page(*_page(request))
    return web.json_response({"items": [p.to_json() for p in found], "total": total})


@routes.route(
    "GET", "/api/v1/library/playlists/{playlist_id}", "A playlist with its entries in order", TAG,
    params=(Param("playlist_id", "path"),), response="Playlist",
)  # fmt: skip
async def playlist(request: web.Request) -> web.Response:
    playlist_id = request.match_info["playlist_id"]
    found = await services(request).library.playlists.get(playlist_id)
    if found is None:
        raise not_found(f"no playlist {playlist_id[:64]!r}")
    return web.json_response(found.to_json())


async def playlist_tracks(request: web.Request, playlist_id: str) -> list[Track]:
    """A playlist's tracks in order (404 when there is no such playlist)."""
    found = await services(request).library.playlists.get(playlist_id)
    if found is None:
        raise not_found(f"no playlist {playlist_id[:64]!r}")
    return list(found.entries or ())


async def artist_tracks(request: web.Request, artist_id: str) -> list[Track]:
    """Every track of an artist's albums, album by album (404 when there is no such artist)."""
    found = await services(request).library.artists.tracks(artist_id)
    if found is None:
        raise not_found(f"no artist {artist_id[:64]!r}")
    return found


PLAYLIST_FIELDS = (Field("playlist_id", "string", required=True), Field("priority", "integer"))


@routes.route(
    "POST", "/api/v1/downloads/playlist", "Download every track of a playlist", "downloads",
    body=PLAYLIST_FIELDS, response="DownloadBatch", status=201,
)  # fmt: skip
async def download_playlist(request: web.Request) -> web.Response:
    """Like an album: a row per track a server holds (a local file is on this disk already)."""
    body = await read_body(request, PLAYLIST_FIELDS)
    tracks = await playlist_tracks(request, body["playlist_id"])
    media = services(request).media
    fetched = {name for name, source in media.sources.items() if source.capabilities.fetch}
    rows: list[Download] = []
    for item_id in dict.fromkeys(t.id for t in tracks if t.source.value in fetched):
        row, _ = await media.downloads.download_item(item_id, priority=body.get("priority") or 0)
        rows.append(row)
    return web.json_response({"downloads": [download_json(r) for r in rows]}, status=201)
