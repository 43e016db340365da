"""Rooms (Snapcast multiroom): list snapserver's clients, set a room's volume, mute, latency, and
move it to or from tapedeck's stream. 503 `upstream_unavailable` while snapserver is unreachable;
404 `not_found` with `[snapcast] role = "off"` (api.md: the routes exist when Snapcast is
configured), so the page hides the Rooms screen for "off" and says why for "unreachable"."""

from __future__ import annotations

from aiohttp import web

from cache.snapcast.control import (
    NoOtherStreamError,
    RoomChange,
    RoomNotFoundError,
    SnapcastControl,
    SnapcastUnavailableError,
)
from cache.snapcast.rpc import RpcError
from player.web.errors import ApiError, conflict, not_found, unavailable
from player.web.keys import services
from player.web.spec import Field, Param, RouteTable, read_body
from player.web.wire import room_json, rooms_json

routes = RouteTable()
TAG = "rooms"
PATCH_FIELDS = (
    Field("volume", "integer", minimum=0, maximum=100),
    Field("muted", "boolean"),
    Field("in_group", "boolean", description="the room plays tapedeck's stream"),
    Field("latency", "integer", minimum=-10_000, maximum=10_000, description="ms"),
)


def _control(request: web.Request) -> SnapcastControl:
    control = services(request).snapcast
    if control is None:
        raise not_found("Snapcast is not configured on this device ([snapcast] role is off)")
    if not control.reachable:
        raise unavailable(control.problem)
    return control


@routes.route(
    "GET", "/api/v1/rooms", "The rooms (snapclients) of the house", TAG, response="RoomList"
)
async def list_rooms(request: web.Request) -> web.Response:
    return web.json_response(rooms_json(_control(request).house.rooms))


@routes.route(
    "PATCH", "/api/v1/rooms/{id}", "Set a room's volume, mute, latency or group", TAG,
    body=PATCH_FIELDS, params=(Param("id", "path"),), response="Room",
)  # fmt: skip
async def patch_room(request: web.Request) -> web.Response:
    control = _control(request)
    body = await read_body(request, PATCH_FIELDS)
    change = RoomChange(
        volume=body.get("volume"),
        muted=body.get("muted"),
        latency=body.get("latency"),
        in_group=body.get("in_group"),
    )
    try:
        room = await control.change(request.match_info["id"], change)
    except RoomNotFoundError as err:
        raise not_found(str(err)) from err
    except NoOtherStreamError as err:
        raise conflict(str(err)) from err
    except SnapcastUnavailableError as err:
        raise unavailable(str(err)) from err
    except RpcError as err:
        raise ApiError(502, f"snapserver refused: {err}") from err
    return web.json_response(room_json(room))
