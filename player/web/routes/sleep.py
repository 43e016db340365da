"""The sleep timer (api.md's Timers): read, set, cancel. The timer lives in player/timers/."""

from __future__ import annotations

from aiohttp import web

from player.timers.sleep import MAX_MINUTES, SleepTimer
from player.timers.state import SleepMode
from player.web.errors import unprocessable
from player.web.keys import services
from player.web.spec import Field, RouteTable, read_body
from player.web.wire import json_response

routes = RouteTable()
TAG = "timers"
SLEEP_FIELDS = (
    Field("minutes", "number", minimum=1, maximum=MAX_MINUTES, description="from now"),
    Field("end_of_track", "boolean", description="pause when the current track ends"),
    Field("end_of_queue", "boolean", description="stop when the queue runs out"),
)


def _timer(request: web.Request) -> SleepTimer:
    return services(request).timers.sleep


@routes.route("GET", "/api/v1/sleep", "The sleep timer", TAG, response="Sleep")
async def get_sleep(request: web.Request) -> web.Response:
    return json_response(_timer(request).status().to_json())


@routes.route(
    "POST", "/api/v1/sleep", "Set the sleep timer: minutes, end of track or end of queue", TAG,
    body=SLEEP_FIELDS, response="Sleep",
)  # fmt: skip
async def set_sleep(request: web.Request) -> web.Response:
    timer = _timer(request)
    body = {k: v for k, v in (await read_body(request, SLEEP_FIELDS)).items() if v is not None}
    ((name, value),) = body.items() if len(body) == 1 else (("", None),)
    if not name or (name != "minutes" and value is not True):
        raise unprocessable("send exactly one of minutes, end_of_track: true, end_of_queue: true")
    if "minutes" in body:
        status = await timer.set_minutes(float(body["minutes"]))
    elif "end_of_track" in body:
        status = await timer.set_mode(SleepMode.END_OF_TRACK)
    else:
        status = await timer.set_mode(SleepMode.END_OF_QUEUE)
    return json_response(status.to_json())


@routes.route("DELETE", "/api/v1/sleep", "Cancel the sleep timer", TAG, status=204)
async def cancel_sleep(request: web.Request) -> web.Response:
    await _timer(request).cancel()
    return web.Response(status=204)
