"""Player routes: state, transport commands, seek, volume and options."""

from __future__ import annotations

from aiohttp import web

from player.playback import commands as c
from player.playback.queue import Repeat
from player.web.errors import bad_request
from player.web.keys import services
from player.web.spec import Field, Param, RouteTable, read_body
from player.web.wire import json_response

routes = RouteTable()
TAG = "player"
MAX_POSITION = 7 * 24 * 3600.0  # a week: longer than any track or mix, far from float trouble
TRANSPORT: dict[str, c.Command] = {
    "play": c.Play(),
    "pause": c.Pause(),
    "toggle": c.Toggle(),
    "next": c.Next(),
    "previous": c.Previous(),
    "stop": c.Stop(),
}


async def _player(request: web.Request, command: c.Command | None = None) -> web.Response:
    svc = services(request)
    if command is not None:
        await svc.controller.submit(command)
    return json_response(svc.controller.player_json())


@routes.route("GET", "/api/v1/player", "The player's state", TAG, response="Player")
async def get_player(request: web.Request) -> web.Response:
    return await _player(request)


@routes.route(
    "POST",
    "/api/v1/player/{command:play|pause|toggle|next|previous|stop}",
    "A transport command; answers once it took effect",
    TAG,
    params=(Param("command", "path", description="play, pause, toggle, next, previous or stop"),),
    body=(),
    response="Player",
)
async def transport(request: web.Request) -> web.Response:
    await read_body(request, ())
    return await _player(request, TRANSPORT[request.match_info["command"]])


# Finite by the parser; bounded here so no absurd value reaches mpv or the checkpoint.
SEEK_FIELDS = (Field("position", "number", required=True, minimum=0, maximum=MAX_POSITION),)


@routes.route(
    "POST",
    "/api/v1/player/seek",
    "Seek within the current track",
    TAG,
    body=SEEK_FIELDS,
    response="Player",
)
async def seek(request: web.Request) -> web.Response:
    body = await read_body(request, SEEK_FIELDS)
    return await _player(request, c.Seek(float(body["position"])))


VOLUME_FIELDS = (
    Field("volume", "integer", minimum=0, maximum=100),
    Field("delta", "integer", minimum=-100, maximum=100),
)


@routes.route(
    "POST",
    "/api/v1/player/volume",
    "Set or change the volume",
    TAG,
    body=VOLUME_FIELDS,
    response="Player",
)
async def volume(request: web.Request) -> web.Response:
    body = await read_body(request, VOLUME_FIELDS)
    if ("volume" in body) == ("delta" in body):
        raise bad_request("send exactly one of 'volume' or 'delta'")
    return await _player(request, c.SetVolume(volume=body.get("volume"), delta=body.get("delta")))


OPTION_FIELDS = (
    Field("repeat", "string", enum=tuple(r.value for r in Repeat)),
    Field("shuffle", "boolean"),
    Field("muted", "boolean"),
)


@routes.route(
    "PATCH",
    "/api/v1/player",
    "Change repeat, shuffle or mute",
    TAG,
    body=OPTION_FIELDS,
    response="Player",
)
async def patch_player(request: web.Request) -> web.Response:
    body = await read_body(request, OPTION_FIELDS)
    repeat = Repeat(body["repeat"]) if body.get("repeat") is not None else None
    command = c.SetOptions(repeat=repeat, shuffle=body.get("shuffle"), muted=body.get("muted"))
    return await _player(request, command)
