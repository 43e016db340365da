"""Queue routes: read, add (replace/append/next), remove, move, jump, clear.

Every reply is api.md's Queue with `offset` and `total`: `GET` holds the whole queue unless
`?offset=&limit=` ask for a page; a change's reply holds the first REPLY_LIMIT entries (or the page
asked for), so appending 500 to a 21,500-entry queue does not echo 22,000 entries back.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from cache.models import Track
from player.playback import commands as c
from player.playback.queue import QueueError
from player.web.errors import ApiError, not_found, unprocessable
from player.web.jsonbody import LIST_BODY_BYTES
from player.web.keys import services
from player.web.routes.collections import artist_tracks, playlist_tracks
from player.web.spec import Field, Param, RouteTable, query_int, read_body
from player.web.wire import json_response

routes = RouteTable()
TAG = "queue"
MAX_ADD = 10_000  # ids in one POST
REPLY_LIMIT = 100  # entries in a change's reply unless ?limit= asks for more
MAX_LIMIT = 100_000
PAGE = (
    Param("offset", type="integer", description="the first entry of the page (default 0)"),
    Param("limit", type="integer", description="entries in the page (GET: default all)"),
)
ENTRY = (Param("entry_id", "path"), *PAGE)


async def _run(request: web.Request, command: c.Command) -> None:
    try:
        await services(request).controller.submit(command)
    except QueueError as err:
        raise ApiError(404 if "no queue entry" in str(err) else 422, str(err)) from err


def _queue(request: web.Request, *, whole: bool = False) -> web.Response:
    """The Queue page the query asks for; without `limit`, all of it (`whole`) or REPLY_LIMIT."""
    queue = services(request).controller.queue
    offset = query_int(request, "offset", 0, hi=MAX_LIMIT)
    limit = query_int(request, "limit", len(queue.entries) if whole else REPLY_LIMIT, hi=MAX_LIMIT)
    return web.json_response(queue.window_json(offset, limit))


@routes.route("GET", "/api/v1/queue", "The play queue", TAG, params=PAGE, response="Queue")
async def get_queue(request: web.Request) -> web.Response:
    return _queue(request, whole=True)


ADD_FIELDS = (
    Field("item_ids", "array", items="string", max_items=MAX_ADD),
    Field("album_id", "string"),
    Field("playlist_id", "string"),
    Field("artist_id", "string"),
    Field("station_id", "string", description="a radio station (mode defaults to replace)"),
    Field(
        "mode",
        "string",
        enum=tuple(m.value for m in c.QueueMode),
        description="required, but with station_id",
    ),
    Field("start_index", "integer", minimum=0),
    Field("play", "boolean"),
)


@routes.route(
    "POST", "/api/v1/queue", "Add tracks, an album, a playlist, an artist or a station", TAG,
    params=PAGE, body=ADD_FIELDS, response="Queue",
)  # fmt: skip
async def add(request: web.Request) -> web.Response:
    body = await read_body(request, ADD_FIELDS, max_bytes=LIST_BODY_BYTES)
    mode = body.get("mode") or ("replace" if body.get("station_id") is not None else None)
    if mode is None:
        raise unprocessable("'mode' is required")
    tracks = await _tracks_for(request, body)
    start = body.get("start_index") or 0
    if tracks and start >= len(tracks):
        raise unprocessable(f"start_index {start} is outside 0..{len(tracks) - 1}")
    command = c.QueueAdd(tuple(tracks), c.QueueMode(mode), start, bool(body.get("play")))
    await _run(request, command)
    return _queue(request)


WHAT = ("item_ids", "album_id", "playlist_id", "artist_id", "station_id")


async def _tracks_for(request: web.Request, body: dict[str, Any]) -> list[Track]:
    given = [name for name in WHAT if body.get(name) is not None]
    if len(given) != 1:
        raise unprocessable("send exactly one of " + ", ".join(f"'{n}'" for n in WHAT))
    if given == ["playlist_id"]:
        return await playlist_tracks(request, body["playlist_id"])
    if given == ["artist_id"]:
        return await artist_tracks(request, body["artist_id"])
    if given == ["station_id"]:
        station = services(request).radio.get(body["station_id"])
        if station is None:
            raise not_found(f"no station {body['station_id'][:64]!r}")
        return [station.track()]
    item_ids: list[str] | None = body.get("item_ids")
    album_id: str | None = body.get("album_id")
    library = services(request).library
    if album_id is not None:
        album = await library.album(album_id)
        if album is None:
            raise not_found(f"no album {album_id!r}")
        return list(album.tracks or ())
    assert item_ids is not None
    tracks = await library.tracks(item_ids)
    missing = sorted(set(item_ids) - {t.id for t in tracks})
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise not_found(f"no track(s) {', '.join(missing[:5])}{more}")
    return tracks


@routes.route("DELETE", "/api/v1/queue", "Clear the queue", TAG, params=PAGE, response="Queue")
async def clear(request: web.Request) -> web.Response:
    await _run(request, c.QueueClear())
    return _queue(request)


@routes.route(
    "DELETE", "/api/v1/queue/{entry_id}", "Remove an entry", TAG, params=ENTRY, response="Queue"
)
async def remove(request: web.Request) -> web.Response:
    await _run(request, c.QueueRemove(request.match_info["entry_id"]))
    return _queue(request)


MOVE_FIELDS = (Field("to", "integer", required=True, minimum=0),)


@routes.route(
    "POST",
    "/api/v1/queue/{entry_id}/move",
    "Move an entry to another index",
    TAG,
    params=ENTRY,
    body=MOVE_FIELDS,
    response="Queue",
)
async def move(request: web.Request) -> web.Response:
    body = await read_body(request, MOVE_FIELDS)
    await _run(request, c.QueueMove(request.match_info["entry_id"], body["to"]))
    return _queue(request)


JUMP_FIELDS = (Field("index", "integer", required=True, minimum=0),)


@routes.route(
    "POST",
    "/api/v1/queue/jump",
    "Play the entry at an index",
    TAG,
    body=JUMP_FIELDS,
    response="Player",
)
async def jump(request: web.Request) -> web.Response:
    body = await read_body(request, JUMP_FIELDS)
    await _run(request, c.QueueJump(body["index"]))
    return json_response(services(request).controller.player_json())
