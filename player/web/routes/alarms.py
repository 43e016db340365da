"""Alarms (api.md's Timers): list, add, change, delete, snooze. The clock is in player/timers/."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from player.timers.alarm_model import DAYS, MAX_FADE_SECONDS, InvalidAlarmError
from player.timers.alarms import AlarmClock, AlarmError
from player.web.errors import ApiError, unprocessable
from player.web.keys import services
from player.web.spec import Field, Param, RouteTable, read_body
from player.web.wire import json_response

routes = RouteTable()
TAG = "timers"
ALARM = (Param("alarm_id", "path"),)


def _fields(*, new: bool) -> tuple[Field, ...]:
    return (
        Field("time", "string", required=new, max_length=5, description="HH:MM, local time"),
        Field("days", "array", items="string", max_items=7, description=", ".join(DAYS)),
        Field("enabled", "boolean"),
        Field("play", "object", required=new,
              description="one of {album_id}, {playlist_id}, {station_id}, {resume: true}"),
        Field("volume", "integer", minimum=0, maximum=100, description="reached by the fade"),
        Field("fade_seconds", "number", minimum=0, maximum=MAX_FADE_SECONDS),
    )  # fmt: skip


NEW_FIELDS, EDIT_FIELDS = _fields(new=True), _fields(new=False)


def _clock(request: web.Request) -> AlarmClock:
    return services(request).timers.alarms


def _refused(err: AlarmError | InvalidAlarmError) -> ApiError:
    if isinstance(err, InvalidAlarmError):
        return unprocessable(str(err))
    return ApiError(err.status, str(err))


async def _checked(request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
    """Nulls dropped; an album or station the alarm names must exist (a playlist is checked
    when it rings: a missing one falls back like a source that is down)."""
    body = {k: v for k, v in body.items() if v is not None}
    play = body.get("play")
    album_id = play.get("album_id") if isinstance(play, dict) else None
    if isinstance(album_id, str) and await services(request).library.album(album_id) is None:
        raise unprocessable(f"there is no album {album_id[:40]!r}")
    station_id = play.get("station_id") if isinstance(play, dict) else None
    if isinstance(station_id, str) and services(request).radio.get(station_id) is None:
        raise unprocessable(f"there is no station {station_id[:40]!r}")
    return body


@routes.route("GET", "/api/v1/alarms", "The alarms", TAG, response="AlarmList")
async def list_alarms(request: web.Request) -> web.Response:
    return json_response(_clock(request).status().to_json())


@routes.route(
    "POST", "/api/v1/alarms", "Add an alarm", TAG, body=NEW_FIELDS, response="Alarm", status=201
)
async def add_alarm(request: web.Request) -> web.Response:
    clock = _clock(request)
    body = await _checked(request, await read_body(request, NEW_FIELDS))
    try:
        alarm = await clock.add(body)
    except (AlarmError, InvalidAlarmError) as err:
        raise _refused(err) from err
    return json_response(alarm.to_json(clock.next_at(alarm)), status=201)


@routes.route(
    "PATCH", "/api/v1/alarms/{alarm_id}", "Change an alarm (or turn it on or off)", TAG,
    params=ALARM, body=EDIT_FIELDS, response="Alarm",
)  # fmt: skip
async def edit_alarm(request: web.Request) -> web.Response:
    clock = _clock(request)
    body = await _checked(request, await read_body(request, EDIT_FIELDS))
    try:
        alarm = await clock.edit(request.match_info["alarm_id"], body)
    except (AlarmError, InvalidAlarmError) as err:
        raise _refused(err) from err
    return json_response(alarm.to_json(clock.next_at(alarm)))


@routes.route(
    "DELETE", "/api/v1/alarms/{alarm_id}", "Delete an alarm", TAG, params=ALARM, status=204
)
async def delete_alarm(request: web.Request) -> web.Response:
    try:
        await _clock(request).delete(request.match_info["alarm_id"])
    except AlarmError as err:
        raise _refused(err) from err
    return web.Response(status=204)


@routes.route("POST", "/api/v1/alarms/snooze", "Snooze the ringing alarm", TAG, status=204)
async def snooze_alarm(request: web.Request) -> web.Response:
    try:
        _clock(request).snooze()
    except AlarmError as err:
        raise _refused(err) from err
    return web.Response(status=204)
