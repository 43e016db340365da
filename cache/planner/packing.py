"""Shared by the policies: the storage budget, and packing wants into a Plan (fetch in order,
evicting the given victims only when that makes the next want fit). Whether a transfer may use the
network is planner/network.py's rule, the one the gate (cache/gate.py) holds transfers with."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cache.models import ItemId
from cache.planner.config import CacheConfig
from cache.planner.network import is_unmetered as is_unmetered
from cache.planner.network import network_wait as network_wait
from cache.planner.plan import Cancel, Evict, Fetch, Plan, Reason, Wait
from cache.planner.snapshot import FileState, Item, Origin, Snapshot


@dataclass(frozen=True, slots=True)
class Want:
    """An item a policy wants on disk, and why."""

    item: Item
    reason: Reason
    origin: Origin = Origin.AUTO
    may_evict: bool = True  # False: only fetched into space that is already free


def storage_budget(snap: Snapshot, config: CacheConfig, keep_free: int) -> int:
    """Bytes that may still be added to the cache (may be negative when over a limit)."""
    by_limit = config.storage_limit - snap.disk.used_bytes
    by_disk = snap.disk.free_bytes - keep_free
    return min(by_limit, by_disk)


def pack(
    snap: Snapshot,
    wants: Sequence[Want],
    victims: Sequence[FileState],
    budget: int,
    may_run: Callable[[Want], Wait | None],
    full_reason: Wait = Wait.STORAGE,
) -> Plan:
    """Fetch `wants` in order while they fit; evict `victims` (in order) only to fit the next one."""
    pending = list(victims)
    reserve = sum(v.bytes_on_disk for v in pending)
    fetches: list[Fetch] = []
    held: list[tuple[Fetch, Wait]] = []
    evictions: list[Evict] = []
    blocked: Wait | None = None
    evicted: set[ItemId] = set()
    for want in wants:
        f = snap.files.get(want.item.id)
        if f is not None and f.item_id in evicted:
            f = None
        if f is not None and f.complete:
            continue
        fetch = Fetch(want.item.id, len(fetches) + len(held), want.reason, want.origin)
        wait = blocked or may_run(want)
        if wait is not None:
            held.append((fetch, wait))
            continue
        need = want.item.size - (f.bytes_on_disk if f is not None else 0)
        if need > budget + (reserve if want.may_evict else 0):
            blocked = full_reason
            held.append((fetch, blocked))
            continue
        while need > budget:
            victim = pending.pop(0)
            evicted.add(victim.item_id)
            budget += victim.bytes_on_disk
            reserve -= victim.bytes_on_disk
            evictions.append(Evict(victim.item_id, "making room"))
        budget -= need
        fetches.append(fetch)
    return _finish(snap, fetches, held, evictions)


def _finish(
    snap: Snapshot,
    fetches: list[Fetch],
    held: list[tuple[Fetch, Wait]],
    evictions: list[Evict],
) -> Plan:
    wanted = {f.item_id for f in fetches}
    evicted = {e.item_id for e in evictions}
    cancels = tuple(
        Cancel(f.item_id, "no longer wanted now")
        for f in sorted(snap.files.values(), key=lambda f: f.item_id)
        if f.downloading and f.item_id not in wanted and f.item_id not in evicted
    )
    wait = held[0][1] if held else None
    held_with_reasons = tuple(dataclasses.replace(h, wait=w) for h, w in held)
    return Plan(tuple(fetches), cancels, tuple(evictions), held_with_reasons, wait)
