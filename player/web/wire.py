"""The one place events become the page's JSON: each event type registers its wire form here."""

from __future__ import annotations

import json
import logging
import math
from functools import singledispatch
from typing import Any

from aiohttp import web

from player.playback.problems import TrackUnplayable
from player.web.throttle import LogThrottle

Message = dict[str, Any]
log = logging.getLogger(__name__)
_throttle = LogThrottle()


@singledispatch
def event_json(event: object) -> Message:
    """api.md's WebSocket message for one typed event."""
    raise TypeError(f"no wire form for {type(event).__name__}")


@event_json.register
def _unplayable(event: TrackUnplayable) -> Message:
    error = {"code": "unplayable", "message": event.sentence()}
    return {"type": "error", "error": error, "item_id": event.item_id, "skipped": event.skipped}


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
