"""Clairvoyant policies for comparison: they know every future play and keep on disk what is played
soonest (Belady's rule), within the same network and storage rules as any other policy.

`OraclePolicy` may fetch anything (it fetches tomorrow's queue today). `QueueOraclePolicy` may
fetch only what the current queue holds, as a real policy can: it knows which of those tracks will
start and when (skips, jumps, where the listener stops), so no policy that reads the queue does
better; what it misses no policy could have had on disk."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence

from cache.models import ItemId
from cache.planner.config import CacheConfig
from cache.planner.packing import Want, network_wait, pack, storage_budget
from cache.planner.plan import Plan, Reason
from cache.planner.snapshot import Item, Origin, Snapshot

HORIZON = 400  # future plays considered at each step


class OraclePolicy:
    """Not a real policy (it reads the future); an upper bound for the bench."""

    name = "oracle"

    def __init__(self, config: CacheConfig, plays: Sequence[tuple[float, Item]]) -> None:
        self.config = config
        self._times = [t for t, _ in plays]
        self._items = [i for _, i in plays]

    def plan(self, snap: Snapshot) -> Plan:
        """Fetch what is played soonest; evict what is played latest (or never)."""
        done = bisect.bisect_right(self._times, snap.history[-1].at) if snap.history else 0
        upcoming: dict[ItemId, tuple[int, Item]] = {}
        known = self._knowable(snap)
        for n, item in enumerate(self._items[done : done + HORIZON]):
            if known is None or item.id in known:
                upcoming.setdefault(item.id, (n, item))
        keep = self._keep(snap, [item for _, item in upcoming.values()])
        pins = [Want(p, Reason.PIN, Origin.USER) for p in snap.pins]
        wants = pins + [Want(i, Reason.QUEUE) for i in keep]
        keep_ids = {i.id for i in keep} | {p.id for p in snap.pins} | {snap.current}
        victims = sorted(
            (f for f in snap.files.values() if f.item_id not in keep_ids),
            key=lambda f: (-upcoming.get(f.item_id, (HORIZON, None))[0], f.item_id),
        )
        budget = storage_budget(snap, self.config, keep_free=0)
        return pack(
            snap,
            wants,
            victims,
            budget,
            lambda w: network_wait(snap.network, self.config, w.origin),
        )

    def _keep(self, snap: Snapshot, soonest_first: list[Item]) -> list[Item]:
        room = self.config.storage_limit - sum(p.size for p in snap.pins)
        keep: list[Item] = []
        for item in soonest_first:
            if item.size > room:
                break
            room -= item.size
            keep.append(item)
        return keep

    def _knowable(self, snap: Snapshot) -> set[ItemId] | None:
        """The items this oracle may fetch (None: any)."""
        return None


class QueueOraclePolicy(OraclePolicy):
    """The oracle held to the current queue: the bound of what reading the queue can reach. It
    downloads one file at a time: the link is shared equally, so the file needed soonest is
    complete soonest alone, and a window that closes leaves one partial, not two."""

    name = "queue-oracle"

    def plan(self, snap: Snapshot) -> Plan:
        """The oracle's plan, its first fetch alone."""
        plan = super().plan(snap)
        return dataclasses.replace(plan, fetches=plan.fetches[:1])

    def _knowable(self, snap: Snapshot) -> set[ItemId] | None:
        return {i.id for i in snap.queue}
