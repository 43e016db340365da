"""The events the pre-cacher publishes (frozen; player/web/wire.py makes their JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cache.disk import DiskUsage
from cache.events import CacheEvent
from cache.net.watcher import Network
from cache.planner.config import CacheConfig


@dataclass(frozen=True, slots=True)
class CacheStatus:
    """`GET /api/v1/cache`: the settings in force, the storage used, the files kept."""

    config: CacheConfig
    usage: DiskUsage
    items: int
    pinned_items: int
    reasons: tuple[str, ...] = ()  # the policy's reasons in a person's words
    downloaded_bytes: int = 0  # fetched since the service started, streams through it included
    metered_bytes: int = 0  # ... of them on a metered link

    def to_json(self) -> dict[str, Any]:
        """api.md's cache object."""
        return {
            "config": self.config.to_json(),
            **self.usage.to_json(),
            "items": self.items,
            "pinned_items": self.pinned_items,
            "reasons": list(self.reasons),
            "downloaded_bytes": self.downloaded_bytes,
            "metered_bytes": self.metered_bytes,
        }


@dataclass(frozen=True, slots=True)
class NetworkChanged(CacheEvent):
    """The network watcher reported a change."""

    network: Network


@dataclass(frozen=True, slots=True)
class CacheChanged(CacheEvent):
    """The cache's settings or storage changed."""

    status: CacheStatus
