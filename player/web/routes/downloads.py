"""Downloads and offline routes: the commands of design/download-manager.md over the manager."""

from __future__ import annotations

from aiohttp import web

from cache.downloads import DownloadManager, DownloadStatus, Origin
from player.web.errors import bad_request
from player.web.keys import services
from player.web.spec import Field, Param, RouteTable, path_int, query_int, read_body
from player.web.wire import download_json, download_list_json

routes = RouteTable()
TAG = "downloads"
ID = (Param("id", "path", "integer"),)
ITEM_FIELDS = (Field("item_id", "string", required=True), Field("priority", "integer"))
ALBUM_FIELDS = (Field("album_id", "string", required=True), Field("priority", "integer"))


def _manager(request: web.Request) -> DownloadManager:
    return services(request).media.downloads


def _id(request: web.Request) -> int:
    return path_int(request, "id", "download")


@routes.route(
    "POST",
    "/api/v1/downloads",
    "Download one item",
    TAG,
    body=ITEM_FIELDS,
    response="Download",
    status=201,
)
async def download_item(request: web.Request) -> web.Response:
    body = await read_body(request, ITEM_FIELDS)
    row, created = await _manager(request).download_item(
        body["item_id"], priority=body.get("priority") or 0
    )
    return web.json_response(download_json(row), status=201 if created else 200)


@routes.route(
    "POST", "/api/v1/downloads/album", "Download every track of an album", TAG, body=ALBUM_FIELDS,
    response="DownloadBatch", status=201,
)  # fmt: skip
async def download_album(request: web.Request) -> web.Response:
    body = await read_body(request, ALBUM_FIELDS)
    rows = await _manager(request).download_album(
        body["album_id"], priority=body.get("priority") or 0
    )
    return web.json_response({"downloads": [download_json(r) for r in rows]}, status=201)


LIST_PARAMS = (
    Param("status"),
    Param("origin"),
    Param("limit", type="integer"),
    Param("offset", type="integer"),
)


@routes.route(
    "GET",
    "/api/v1/downloads",
    "The download list",
    TAG,
    params=LIST_PARAMS,
    response="DownloadList",
)
async def list_downloads(request: web.Request) -> web.Response:
    try:
        statuses = [DownloadStatus(s) for s in request.query.get("status", "").split(",") if s]
        origin = Origin(request.query["origin"]) if request.query.get("origin") else None
    except ValueError as err:
        raise bad_request(f"unknown status or origin: {err}") from err
    page = await _manager(request).list_downloads(
        statuses,
        origin,
        query_int(request, "limit", 100, 1, 1000),
        query_int(request, "offset", 0, 0, 10**9),
    )
    return web.json_response(download_list_json(page))


@routes.route(
    "GET", "/api/v1/downloads/{id:\\d+}", "One download", TAG, params=ID, response="Download"
)
async def get_download(request: web.Request) -> web.Response:
    return web.json_response(download_json(await _manager(request).get(_id(request))))


@routes.route(
    "POST", "/api/v1/downloads/{id:\\d+}/{action:pause|resume|cancel}",
    "Pause, resume or cancel (cancel deletes the partial file)", TAG,
    params=(*ID, Param("action", "path")), body=(), response="Download",
)  # fmt: skip
async def download_action(request: web.Request) -> web.Response:
    await read_body(request, ())
    manager = _manager(request)
    # The manager asks the row's source what it can do (a transfer slskd runs cannot pause: 409).
    action = {"pause": manager.pause, "resume": manager.resume, "cancel": manager.cancel}
    row = await action[request.match_info["action"]](_id(request))
    return web.json_response(download_json(row))


@routes.route(
    "DELETE",
    "/api/v1/downloads/{id:\\d+}",
    "Delete a download and its file",
    TAG,
    params=ID,
    status=204,
)
async def delete_download(request: web.Request) -> web.Response:
    await _manager(request).delete(_id(request))
    return web.Response(status=204)


@routes.route(
    "POST", "/api/v1/downloads/{bulk:pause-all|resume-all|clear-completed}",
    "Pause all, resume all, or clear completed rows (files stay)", TAG,
    params=(Param("bulk", "path"),), body=(), response="Affected",
)  # fmt: skip
async def bulk(request: web.Request) -> web.Response:
    await read_body(request, ())
    manager = _manager(request)
    action = {
        "pause-all": manager.pause_all,
        "resume-all": manager.resume_all,
        "clear-completed": manager.clear_completed,
    }
    return web.json_response({"affected": await action[request.match_info["bulk"]]()})


PAGE = (Param("offset", type="integer"), Param("limit", type="integer"))


@routes.route(
    "GET",
    "/api/v1/offline/items",
    "Tracks available offline",
    "offline",
    params=PAGE,
    response="TrackPage",
)
async def offline_items(request: web.Request) -> web.Response:
    items, total = await _manager(request).offline.items(
        query_int(request, "offset", 0, 0, 10**9), query_int(request, "limit", 100, 1, 1000)
    )
    return web.json_response({"items": [t.to_json() for t in items], "total": total})


@routes.route(
    "GET", "/api/v1/offline/items/{item_id}", "Is this item available offline", "offline",
    params=(Param("item_id", "path"),), response="Availability",
)  # fmt: skip
async def offline_item(request: web.Request) -> web.Response:
    item_id = request.match_info["item_id"]
    offline = _manager(request).offline
    available = await offline.is_available(item_id)
    quality = await offline.kept_quality(item_id) if available else None
    return web.json_response({"item_id": item_id, "available": available, "quality": quality})


@routes.route(
    "GET",
    "/api/v1/offline/search",
    "Search what is offline",
    "offline",
    params=(Param("q"),),
    response="TrackList",
)
async def offline_search(request: web.Request) -> web.Response:
    items = await _manager(request).offline.search(request.query.get("q", ""))
    return web.json_response({"items": [t.to_json() for t in items]})
