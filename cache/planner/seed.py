"""The `seed` policy: the three strategies of design/download-manager.md, literally.

1. Queue pre-caching: when a track is played, download the next `queue_precache_count` queue tracks
   (Wi-Fi only).
2. Album affinity: when a track is played and `album_affinity_threshold` tracks of its album have been
   played, download the whole album.
3. LRU eviction: when the storage limit is reached, remove the least recently accessed files.

As in the design, a play *queues download requests* that stay queued until they complete (replacing the
queue does not withdraw them); the policy object remembers them the way the downloads table does.
User downloads (pins) are requests too, first in line, and are not evicted by automatic caching.
"""

from __future__ import annotations

from collections import Counter

from cache.models import AlbumId, ItemId
from cache.planner.config import CacheConfig, PolicyName
from cache.planner.packing import Want, network_wait, pack, storage_budget
from cache.planner.plan import Plan, Reason
from cache.planner.snapshot import FileState, Origin, Snapshot

_RANK = {Reason.PIN: 0, Reason.QUEUE: 1, Reason.ALBUM: 2}


class SeedPolicy:
    """design/download-manager.md's SmartCache, as a planner."""

    name = PolicyName.SEED

    def __init__(self, config: CacheConfig) -> None:
        self.config = config
        self._requests: dict[ItemId, tuple[int, int, Want]] = {}  # id -> (rank, seq, want)
        self._seq = 0
        self._seen_until = float("-inf")

    def plan(self, snap: Snapshot) -> Plan:
        """Record the requests new plays make, then fetch them in order, evicting LRU for room."""
        self._observe(snap)
        for pin in snap.pins:
            self._request(Want(pin, Reason.PIN, Origin.USER))
        for item_id in [i for i in self._requests if snap.is_local(i)]:
            del self._requests[item_id]
        wants = [w for _, _, w in sorted(self._requests.values(), key=lambda r: r[:2])]
        victims = self._lru_victims(snap)
        budget = storage_budget(snap, self.config, keep_free=0)
        return pack(
            snap,
            wants,
            victims,
            budget,
            lambda w: network_wait(snap.network, self.config, w.origin),
        )

    def _observe(self, snap: Snapshot) -> None:
        fresh = [p for p in snap.history if p.at > self._seen_until]
        if not fresh:
            return
        self._seen_until = fresh[-1].at
        if self.config.queue_precache_enabled:
            for item in snap.upcoming()[: self.config.queue_precache_count]:
                self._request(Want(item, Reason.QUEUE))
        if self.config.album_affinity_enabled:
            for album_id in dict.fromkeys(p.album_id for p in fresh):
                self._album_affinity(snap, album_id)

    def _album_affinity(self, snap: Snapshot, album_id: AlbumId) -> None:
        played = Counter(p.item_id for p in snap.history if p.album_id == album_id)
        if len(played) < self.config.album_affinity_threshold:
            return
        for item in snap.albums.get(album_id, ()):
            self._request(Want(item, Reason.ALBUM))

    def _request(self, want: Want) -> None:
        rank = _RANK[want.reason]
        old = self._requests.get(want.item.id)
        if old is not None and old[0] <= rank:
            return
        self._seq += 1
        self._requests[want.item.id] = (rank, self._seq, want)

    def _lru_victims(self, snap: Snapshot) -> list[FileState]:
        pinned = {p.id for p in snap.pins}
        candidates = [
            f
            for f in snap.files.values()
            if f.complete
            and f.origin is Origin.AUTO
            and f.item_id not in pinned
            and f.item_id != snap.current
        ]
        return sorted(candidates, key=lambda f: (f.last_access, f.item_id))
