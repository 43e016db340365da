"""The pre-cacher as the service runs it: the pure planner fed from the queue, the play history, the
downloads table, the network and disk watchers, and its plan carried out by the download manager.

Names load on first use (cache.lazy): the page's event types (cache.precache.events) come without
the runner and its watchers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cache.lazy import lazy_names

if TYPE_CHECKING:
    from cache.precache.gate import DeviceGate
    from cache.precache.runner import Precacher, QueueView
    from cache.precache.service import PrecacheService, PrecacheSettings
    from cache.precache.settings import CacheSettings

_WHERE = {
    "CacheSettings": "settings",
    "DeviceGate": "gate",
    "PrecacheService": "service",
    "PrecacheSettings": "service",
    "Precacher": "runner",
    "QueueView": "runner",
}
__all__ = [
    "CacheSettings",
    "DeviceGate",
    "PrecacheService",
    "PrecacheSettings",
    "Precacher",
    "QueueView",
]
__getattr__ = lazy_names(__name__, _WHERE, globals())
