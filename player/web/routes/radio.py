"""Internet radio (api.md's Library, more ways in): the stations; `POST /queue {station_id}`
plays one. The stations are in player/radio/."""

from __future__ import annotations

from aiohttp import web

from player.radio.stations import MAX_NAME, MAX_URL, RadioBook, StationError
from player.web.errors import ApiError
from player.web.keys import services
from player.web.spec import Field, Param, RouteTable, read_body
from player.web.wire import json_response

routes = RouteTable()
TAG = "library"
STATION_FIELDS = (
    Field("name", "string", required=True, max_length=MAX_NAME),
    Field("url", "string", required=True, max_length=MAX_URL,
          description="an http(s) stream, or a .pls or .m3u naming one"),
)  # fmt: skip


def _book(request: web.Request) -> RadioBook:
    return services(request).radio


@routes.route("GET", "/api/v1/radio", "The radio stations", TAG, response="StationList")
async def list_stations(request: web.Request) -> web.Response:
    return json_response({"stations": [s.to_json() for s in _book(request).stations()]})


@routes.route(
    "POST", "/api/v1/radio", "Add a radio station", TAG, body=STATION_FIELDS, response="Station",
    status=201,
)  # fmt: skip
async def add_station(request: web.Request) -> web.Response:
    body = await read_body(request, STATION_FIELDS)
    try:
        station = await _book(request).add(body["name"], body["url"])
    except StationError as err:
        raise ApiError(err.status, str(err)) from err
    return json_response(station.to_json(), status=201)


@routes.route(
    "DELETE", "/api/v1/radio/{station_id}", "Delete a radio station", TAG,
    params=(Param("station_id", "path"),), status=204,
)  # fmt: skip
async def delete_station(request: web.Request) -> web.Response:
    try:
        await _book(request).delete(request.match_info["station_id"])
    except StationError as err:
        raise ApiError(err.status, str(err)) from err
    return web.Response(status=204)
