"""The one place events become the page's JSON: each event type registers its wire form here."""

from __future__ import annotations

from functools import singledispatch
from typing import Any

Message = dict[str, Any]


@singledispatch
def event_json(event: object) -> Message:
    """api.md's WebSocket message for one typed event."""
    raise TypeError(f"no wire form for {type(event).__name__}")


@event_json.register
def _legacy_message(event: dict) -> Message:  # type: ignore[type-arg]
    # Publishers that still hand the bus a ready message; issue 12 retires them one by one.
    return event
