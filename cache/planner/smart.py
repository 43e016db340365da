"""The `smart` policy (the default): minutes of lookahead per network class, the whole queue on an
unmetered network when the device is seen listening away from it, pins first and never evicted,
played automatic copies evicted first, a free-space floor, and no thrashing on queue changes.

Order of wants: the next tracks (a few minutes), the user's pins, the rest of the lookahead, the rest of
the queue (when taking it whole), then album affinity into space that is already free. Everything in
the queue window, the current and the next track are protected from eviction, so a long queue fills the
budget in queue order instead of evicting its own tail. When the queue is replaced, partials of items
still wanted are resumed; what the old queue fetched stays on disk until its room is needed, and is then
evicted oldest-fetched first (a queue that comes back finds its newest tracks still there).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from cache.models import AlbumId, ItemId
from cache.planner.config import CacheConfig, PolicyName
from cache.planner.packing import Want, is_unmetered, network_wait, pack, storage_budget
from cache.planner.plan import Evict, Plan, Reason, Wait
from cache.planner.signals import album_streaks, roams
from cache.planner.snapshot import FileState, NetworkKind, Origin, Snapshot

URGENT_SECONDS = 300.0  # audio that must be ready before pins compete for bandwidth
RAMP_START_SECONDS = 600.0  # lookahead of a queue just set
RAMP_FACTOR = 1.0  # lookahead seconds gained per second the queue is kept


class SmartPolicy:
    """The service's default policy; see the module docstring for its rules."""

    name = PolicyName.SMART

    def __init__(self, config: CacheConfig) -> None:
        self.config = config

    def plan(self, snap: Snapshot) -> Plan:
        """Decide fetches, cancels and evictions for this snapshot (pure: no state kept)."""
        window = self._window(snap)
        urgent, later = _split(window, URGENT_SECONDS)
        pins = [Want(p, Reason.PIN, Origin.USER) for p in snap.pins]
        core = _dedupe([*urgent, *pins, *later])
        wants = _dedupe([*core, *self._album_wants(snap)])
        protected = {w.item.id for w in core} | _current_and_next(snap)
        victims = _victims(snap, protected)
        budget = storage_budget(snap, self.config, self.config.min_free_bytes)
        floor = _restore_floor(victims, budget)
        budget += sum(v.bytes_on_disk for v in floor)
        plan = pack(snap, wants, victims[len(floor) :], budget, self._may_run(snap))
        if not floor:
            return plan
        extra = tuple(Evict(v.item_id, "free-space floor") for v in floor)
        return dataclasses.replace(plan, evictions=extra + plan.evictions)

    def _may_run(self, snap: Snapshot) -> Callable[[Want], Wait | None]:
        return lambda w: network_wait(snap.network, self.config, w.origin)

    def _window(self, snap: Snapshot) -> list[Want]:
        if not self.config.queue_precache_enabled:
            return []
        upcoming = snap.upcoming()
        if self._whole_queue(snap):
            return [Want(i, Reason.QUEUE) for i in upcoming]
        seconds = self._lookahead_seconds(snap)
        out: list[Want] = []
        total = 0.0
        for item in upcoming:
            if out and total >= seconds:
                break
            out.append(Want(item, Reason.QUEUE))
            total += item.duration
        return out

    def _lookahead_seconds(self, snap: Snapshot) -> float:
        metered = snap.network.kind is NetworkKind.CELLULAR or snap.network.metered
        if metered and not self.config.wifi_only:
            full = 60.0 * self.config.lookahead_minutes_metered
        else:
            full = 60.0 * self.config.lookahead_minutes_unmetered
        if snap.queue_since is None:
            return full
        # a fresh queue is often replaced again within minutes: grow the lookahead as it is kept
        kept = snap.now - snap.queue_since
        return min(full, max(RAMP_START_SECONDS, RAMP_FACTOR * kept))

    def _whole_queue(self, snap: Snapshot) -> bool:
        return (
            self.config.whole_queue_on_unmetered
            and is_unmetered(snap.network)
            and roams(snap.history)
        )

    def _album_wants(self, snap: Snapshot) -> list[Want]:
        if not (self.config.album_affinity_enabled and is_unmetered(snap.network)):
            return []
        wants: list[Want] = []
        for album_id in album_streaks(snap.history, self.config.album_affinity_threshold):
            wants.extend(_rest_of_album(snap, album_id))
        return wants


def _rest_of_album(snap: Snapshot, album_id: AlbumId) -> Iterable[Want]:
    played = {p.item_id for p in snap.history if p.album_id == album_id}
    for item in snap.albums.get(album_id, ()):
        if item.id not in played:
            yield Want(item, Reason.ALBUM, may_evict=False)


def _split(window: list[Want], seconds: float) -> tuple[list[Want], list[Want]]:
    total = 0.0
    for n, want in enumerate(window):
        if total >= seconds:
            return window[:n], window[n:]
        total += want.item.duration
    return window, []


def _dedupe(wants: Iterable[Want]) -> list[Want]:
    seen: set[ItemId] = set()
    out: list[Want] = []
    for w in wants:
        if w.item.id not in seen:
            seen.add(w.item.id)
            out.append(w)
    return out


def _current_and_next(snap: Snapshot) -> set[ItemId]:
    ids: set[ItemId] = set()
    if snap.current is not None:
        ids.add(snap.current)
    upcoming = snap.upcoming()
    if upcoming:
        ids.add(upcoming[0].id)
    return ids


def _victims(snap: Snapshot, protected: set[ItemId]) -> list[FileState]:
    """Automatic copies nobody needs now, cheapest loss first: stale partials, then played copies
    (least recently used first), then unplayed ones (oldest fetched first)."""
    pinned = {p.id for p in snap.pins}
    out = [
        f
        for f in snap.files.values()
        if f.origin is Origin.AUTO and f.item_id not in protected and f.item_id not in pinned
    ]
    return sorted(out, key=_victim_key)


def _victim_key(f: FileState) -> tuple[int, float, str]:
    if not f.complete:
        return (0, f.fetched_at, f.item_id)
    if f.played:
        return (1, f.last_access, f.item_id)
    return (2, f.fetched_at, f.item_id)


def _restore_floor(victims: list[FileState], budget: int) -> list[FileState]:
    """The victims to delete now because the disk is below the floor or the cache over its limit."""
    out: list[FileState] = []
    for v in victims:
        if budget >= 0:
            break
        out.append(v)
        budget += v.bytes_on_disk
    return out
