"""The events cache/ publishes: frozen dataclasses, never wire formats.

player/web/wire.py alone turns them into the page's JSON (and each controller into its own protocol),
so cache/ knows nothing of WebSocket message shapes.
"""

from __future__ import annotations

from collections.abc import Callable


class CacheEvent:
    """The base of every event cache/ publishes (each a frozen dataclass)."""

    __slots__ = ()


EventSink = Callable[[CacheEvent], None]
