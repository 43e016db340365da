"""The pre-cacher as the service runs it: the pure planner fed from the queue, the play history, the
downloads table, the network and disk watchers, and its plan carried out by the download manager."""

from cache.precache.gate import DeviceGate
from cache.precache.runner import Precacher, QueueView
from cache.precache.service import PrecacheService, PrecacheSettings
from cache.precache.settings import CacheSettings

__all__ = [
    "CacheSettings",
    "DeviceGate",
    "PrecacheService",
    "PrecacheSettings",
    "Precacher",
    "QueueView",
]
