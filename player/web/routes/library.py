"""Library routes: albums, an album with its tracks, a track, search and cover images."""

from __future__ import annotations

from aiohttp import web

from player.web.errors import not_found
from player.web.keys import services
from player.web.spec import Param, RouteTable, query_int

routes = RouteTable()
TAG = "library"
PAGE = (Param("q"), Param("offset", type="integer"), Param("limit", type="integer"))
ALBUM = (Param("album_id", "path"),)


@routes.route(
    "GET", "/api/v1/library/albums", "Albums, paged", TAG, params=PAGE, response="AlbumPage"
)
async def albums(request: web.Request) -> web.Response:
    offset = query_int(request, "offset", 0, 0, 10**9)
    limit = query_int(request, "limit", 50, 1, 500)
    items, total = await services(request).library.albums(request.query.get("q", ""), offset, limit)
    return web.json_response({"items": [a.to_json() for a in items], "total": total})


@routes.route(
    "GET",
    "/api/v1/library/albums/{album_id}",
    "An album with its tracks",
    TAG,
    params=ALBUM,
    response="Album",
)
async def album(request: web.Request) -> web.Response:
    album_id = request.match_info["album_id"]
    found = await services(request).library.album(album_id)
    if found is None:
        raise not_found(f"no album {album_id!r}")
    return web.json_response(found.to_json())


@routes.route(
    "GET",
    "/api/v1/library/albums/{album_id}/image",
    "The album's cover image",
    TAG,
    params=ALBUM,
    response="binary:image/*",
)
async def album_image(request: web.Request) -> web.Response:
    album_id = request.match_info["album_id"]
    cover = await services(request).library.cover(album_id)
    if cover is None:
        raise not_found(f"no cover for album {album_id!r}")
    headers = {"Cache-Control": "max-age=86400"}
    return web.Response(body=cover.data, content_type=cover.content_type, headers=headers)


@routes.route(
    "GET",
    "/api/v1/library/tracks/{item_id}",
    "One track",
    TAG,
    params=(Param("item_id", "path"),),
    response="Track",
)
async def track(request: web.Request) -> web.Response:
    item_id = request.match_info["item_id"]
    found = await services(request).library.track(item_id)
    if found is None:
        raise not_found(f"no track {item_id!r}")
    return web.json_response(found.to_json())


@routes.route(
    "GET",
    "/api/v1/library/search",
    "Search tracks, albums and artists",
    TAG,
    params=(Param("q"),),
    response="SearchResult",
)
async def search(request: web.Request) -> web.Response:
    library, q = services(request).library, request.query.get("q", "")
    tracks, found_albums = await library.search(q)
    found_artists = await library.artists.search(q)
    return web.json_response(
        {
            "tracks": [t.to_json() for t in tracks],
            "albums": [a.to_json() for a in found_albums],
            "artists": [a.to_json() for a in found_artists],
        }
    )
