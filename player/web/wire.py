"""The one place events become the page's JSON: each event type registers its wire form here,
and api.md's objects that cache/ hands out as typed rows (the Download) are made here too."""

from __future__ import annotations

import json
import logging
import math
from functools import singledispatch
from typing import TYPE_CHECKING, Any

from aiohttp import web

from cache.downloads import Download, DownloadEvent, DownloadList
from cache.jellyfin.remote.display import DisplayMessage
from cache.precache.events import CacheChanged, NetworkChanged
from cache.snapcast.rooms import LocalClient, Room, RoomsChanged
from player.jfremote.events import RemoteProblem
from player.playback.changes import PlayerChanged, QueueChanged
from player.playback.problems import TrackUnplayable
from player.playback.queue import QueueChange
from player.snapcast.relay import FeedChanged
from player.timers.alarms import AlarmsChanged
from player.timers.ringing import AlarmProblem
from player.timers.state import SleepChanged
from player.web.throttle import LogThrottle

if TYPE_CHECKING:
    from cache.snapcast.control import SnapcastControl

Message = dict[str, Any]
log = logging.getLogger(__name__)
_throttle = LogThrottle()
# Entries one queue change may carry; a bigger change (a replace of thousands, a clear, a shuffle)
# is sent as a reset the client re-reads with GET /api/v1/queue, pages at a time if it likes.
CHANGE_LIMIT = 500


@singledispatch
def event_json(event: object) -> Message:
    """api.md's WebSocket message for one typed event."""
    raise TypeError(f"no wire form for {type(event).__name__}")


@event_json.register
def _unplayable(event: TrackUnplayable) -> Message:
    error = {"code": "unplayable", "message": event.sentence()}
    return {"type": "error", "error": error, "item_id": event.item_id, "skipped": event.skipped}


@event_json.register
def _network_changed(event: NetworkChanged) -> Message:
    return {"type": "network", "network": event.network.to_json()}


@event_json.register
def _cache_changed(event: CacheChanged) -> Message:
    return {"type": "cache", "cache": event.status.to_json()}


@event_json.register
def _legacy_message(event: dict) -> Message:  # type: ignore[type-arg]
    # Publishers that still hand the bus a ready message; issue 12 retires them one by one.
    return event


def to_text(message: Message) -> str:
    """The JSON text of a message. Never NaN or Infinity: they are not JSON, and a page that
    meets them stops updating. A non-finite number that got this far is sent as null."""
    try:
        return json.dumps(message, separators=(",", ":"), allow_nan=False)
    except ValueError:
        _throttle.log(
            log,
            logging.WARNING,
            "nan",
            "a %s message held a non-finite number; sent as null",
            message.get("type", "response"),
        )
        return json.dumps(_finite(message), separators=(",", ":"), allow_nan=False)


def json_response(body: Any, status: int = 200) -> web.Response:
    """web.json_response with the same guarantee, for responses that carry live numbers."""
    text = to_text(body) if isinstance(body, dict) else json.dumps(_finite(body), allow_nan=False)
    return web.Response(text=text, status=status, content_type="application/json")


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def download_json(row: Download) -> Message:
    """api.md's Download object, plus `can_pause` (what the row's source can do)."""
    return {
        "id": row.id,
        "item_id": row.item_id,
        "user_id": row.user_id,
        "source": row.source,
        "origin": str(row.origin),
        "title": row.title,
        "album": row.album,
        "album_id": row.album_id,
        "status": str(row.status),
        "progress": row.progress,
        "bytes_downloaded": row.bytes_downloaded,
        "file_size": row.file_size,
        "quality": row.quality,
        "priority": row.priority,
        "error_message": row.error_message,
        "retry_count": row.retry_count,
        "queued_at": row.queued_at,
        "started_at": row.started_at,
        "completed_at": row.completed_at,
        "wait_reason": row.wait_reason,
        "can_pause": row.can_pause,
    }


def download_list_json(page: DownloadList) -> Message:
    """The body of `GET /api/v1/downloads`."""
    return {
        "downloads": [download_json(d) for d in page.downloads],
        "active_count": page.active_count,
        "queued_count": page.queued_count,
        "total": page.total,
    }


@event_json.register
def _download_event(event: DownloadEvent) -> Message:
    download = download_json(event.download)
    if event.speed is not None:  # a source that transfers by itself says how fast it goes
        download |= {"speed": event.speed, "eta": event.eta}
    return {"type": "download", "event": str(event.kind), "download": download}


@event_json.register
def _display_message(event: DisplayMessage) -> Message:
    text = (
        f"{event.header}: {event.text}"
        if event.header and event.text
        else event.header or event.text
    )
    return {"type": "message", "text": text}


@event_json.register
def _remote_problem(event: RemoteProblem) -> Message:
    message: Message = {"type": "error", "error": {"code": event.code, "message": event.message}}
    if event.item_id is not None:
        message["item_id"] = event.item_id
    return message


def room_json(room: Room) -> Message:
    """api.md's Room object."""
    return {
        "id": room.id,
        "name": room.name,
        "connected": room.connected,
        "volume": room.volume,
        "muted": room.muted,
        "latency": room.latency,
        "in_group": room.in_group,
        "this_device": room.this_device,  # beyond api.md: the room this tapedeck runs
    }


def rooms_json(rooms: tuple[Room, ...]) -> Message:
    """The body of `GET /api/v1/rooms`."""
    return {"rooms": [room_json(room) for room in rooms]}


@event_json.register
def _rooms_changed(event: RoomsChanged) -> Message:
    return {"type": "rooms", **_rooms_now(event.rooms, event.reachable, event.reason, event.local)}


def house_json(control: SnapcastControl) -> Message:
    """The rooms as they are now, for the events snapshot (a `rooms` event without its type)."""
    return _rooms_now(control.house.rooms, control.reachable, control.problem, control.local)


def _rooms_now(
    rooms: tuple[Room, ...], reachable: bool, reason: str, local: LocalClient | None
) -> Message:
    # `reachable` tells the page that the list stopped moving (snapserver away), `reason` why;
    # `snapclient`, in the room role, whether this device's own snapclient runs.
    message: Message = {**rooms_json(rooms), "reachable": reachable}
    if not reachable:
        message["reason"] = reason
    if local is not None:
        message["snapclient"] = {"running": local.running, "problem": local.problem}
    return message


@event_json.register
def _player(event: PlayerChanged) -> Message:
    return {"type": "player", "player": event.controller.player_json()}


@event_json.register
def _queue(event: QueueChanged) -> Message:
    return {"type": "queue", "queue": event.controller.queue.to_json()}


@singledispatch
def changes_json(event: object) -> Message:
    """The message for a client that follows the queue as changes (`/events?queue=changes`);
    the same as `event_json`'s for every event but the queue's."""
    return event_json(event)


def has_changes_form(event: object) -> bool:
    """Whether `changes_json` differs from `event_json` for this event's type."""
    return changes_json.dispatch(type(event)) is not changes_json.dispatch(object)


@changes_json.register
def _queue_change(event: QueueChanged) -> Message:
    # The version before and after, and what this one change did: never the whole queue.
    queue = event.controller.queue
    last = queue.last_change
    head: Message = {"index": queue.index, "version": queue.version, "total": len(queue.entries)}
    change: Message = {"since": last.version - 1, "reset": _is_reset(last)}
    if change["reset"]:
        if len(queue.entries) <= CHANGE_LIMIT:
            head["entries"] = [e.to_json() for e in queue.entries]
    else:
        change["inserted"] = [{"index": i, "entry": e.to_json()} for i, e in last.inserted]
        change["removed"] = list(last.removed)
        change["moved"] = [{"entry_id": entry_id, "to": to} for entry_id, to in last.moved]
    return {"type": "queue", "queue": head, "change": change}


def _is_reset(change: QueueChange) -> bool:
    too_big = len(change.added) > CHANGE_LIMIT or len(change.removed) > CHANGE_LIMIT
    return change.reordered or too_big


@event_json.register
def _sleep_changed(event: SleepChanged) -> Message:
    return {"type": "sleep", "sleep": event.status.to_json()}


@event_json.register
def _alarms_changed(event: AlarmsChanged) -> Message:
    return {"type": "alarms", **event.status.to_json()}


@event_json.register
def _alarm_problem(event: AlarmProblem) -> Message:
    # An alarm that fell back to a local album, or played nothing: the page says why.
    return {"type": "error", "error": {"code": event.code, "message": event.message},
            "alarm_id": event.alarm_id}  # fmt: skip


@event_json.register
def _feed_changed(event: FeedChanged) -> Message:
    # The source's audio into snapserver: the page says why the music waits, and when it flows.
    return {"type": "snapcast", "feed": str(event.state), "reason": event.reason}
