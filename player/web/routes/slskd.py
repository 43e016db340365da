"""slskd acquisition routes: search Soulseek, read ranked candidates, enqueue a peer's files.

Without a configured slskd every route answers 503 `upstream_unavailable`; slskd being down, refusing
our key or failing answers the same code (502/503) through the error middleware.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from player.web.errors import unprocessable
from player.web.keys import services
from player.web.spec import Field, Param, RouteTable, read_body
from player.web.wire import download_json

routes = RouteTable()
TAG = "slskd"
SEARCH_FIELDS = (Field("query", "string", required=True, description="what to search for"),)
ENQUEUE_FIELDS = (
    Field("username", "string", required=True, description="the peer, as in a candidate"),
    Field(
        "files", "array", required=True, items="object",
        description="[{filename, size}] exactly as in a candidate",
    ),
)  # fmt: skip
MAX_FILES = 500

# cache.slskd is imported when a route runs: a service without slskd never loads it.
if TYPE_CHECKING:
    from cache.slskd.service import SlskdService
    from cache.slskd.wire import FileRequest


def _slskd(request: web.Request) -> SlskdService:
    service = services(request).media.slskd
    if service is None:
        from cache.slskd.errors import SlskdNotConfiguredError

        raise SlskdNotConfiguredError("no slskd is configured on this device ([slskd] url)")
    return service


@routes.route(
    "POST", "/api/v1/slskd/searches", "Start a Soulseek search", TAG,
    body=SEARCH_FIELDS, response="SlskdSearchStarted", status=202,
)  # fmt: skip
async def start_search(request: web.Request) -> web.Response:
    slskd = _slskd(request)
    body = await read_body(request, SEARCH_FIELDS)
    query = " ".join(str(body["query"]).split())
    if not query:
        raise unprocessable("'query' must not be empty")
    return web.json_response(await slskd.start_search(query), status=202)


@routes.route(
    "GET", "/api/v1/slskd/searches/{id}", "A search's state and its candidates, best first", TAG,
    params=(Param("id", "path"),), response="SlskdSearch",
)  # fmt: skip
async def get_search(request: web.Request) -> web.Response:
    return web.json_response(await _slskd(request).search(request.match_info["id"]))


@routes.route(
    "POST", "/api/v1/slskd/downloads", "Enqueue a peer's files", TAG,
    body=ENQUEUE_FIELDS, response="DownloadBatch", status=201,
)  # fmt: skip
async def enqueue(request: web.Request) -> web.Response:
    slskd = _slskd(request)
    body = await read_body(request, ENQUEUE_FIELDS)
    username = body["username"]
    if not username:
        raise unprocessable("'username' must not be empty")
    files = _files(body["files"])
    rows = await slskd.enqueue(username, files)
    manager = services(request).media.downloads
    downloads = [download_json(manager.view(row)) for row in rows]
    return web.json_response({"downloads": downloads}, status=201)


def _files(raw: list[Any]) -> list[FileRequest]:
    from cache.slskd.wire import FileRequest

    if not raw or len(raw) > MAX_FILES:
        raise unprocessable(f"'files' must hold 1 to {MAX_FILES} files")
    files = []
    for entry in raw:
        unknown = set(entry) - {"filename", "size"}
        name, size = entry.get("filename"), entry.get("size")
        if unknown or not isinstance(name, str) or not name:
            raise unprocessable("every file is {filename, size} with a non-empty filename")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise unprocessable(f"the size of {name!r} must be a whole number of bytes")
        files.append(FileRequest(name, size))
    return files
