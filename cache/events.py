"""The events cache/ publishes: frozen dataclasses, never wire formats.

player/web/wire.py alone turns them into the page's JSON (and each controller into its own protocol),
so cache/ knows nothing of WebSocket message shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar


class CacheEvent:
    """The base of every event cache/ publishes (each a frozen dataclass)."""

    __slots__ = ()


Event = TypeVar("Event", bound=CacheEvent)

# Where a part hands its events: `EventSink[DownloadEvent]` for a part that sends only those,
# `EventSink[CacheEvent]` for one that forwards any.
EventSink = Callable[[Event], None]
