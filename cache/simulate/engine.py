"""The simulator: replays a trace on a virtual clock against a policy, event to event.

The clock jumps from one trace event, transfer completion or policy recheck to the next; between them
transfers progress linearly, so a week of listening is a few thousand steps.
"""

from __future__ import annotations

from cache.errors import CacheError
from cache.models import ItemId
from cache.planner.config import CacheConfig
from cache.planner.plan import Plan
from cache.planner.policy import Policy
from cache.planner.snapshot import (
    DiskState,
    Item,
    NetState,
    NetworkKind,
    Origin,
    PlayRecord,
    Snapshot,
)
from cache.simulate.metrics import Metrics
from cache.simulate.trace import Event, Trace
from cache.simulate.transfers import Disk

HISTORY_LIMIT = 500  # plays handed to the policy, like the service's bounded history query


class SimulationError(CacheError):
    """A policy broke a rule of the model (evicting the track being played from disk)."""


class Simulator:
    """One run of one policy over one trace."""

    def __init__(self, trace: Trace, policy: Policy, config: CacheConfig, name: str) -> None:
        self.trace = trace
        self.policy = policy
        self.config = config
        self.metrics = Metrics(name)
        self.disk = Disk(config.storage_limit, config.max_concurrent_downloads)
        self.now = 0.0
        self.kind = NetworkKind.OFFLINE
        self.queue: tuple[Item, ...] = ()
        self.index: int | None = None
        self.queue_since: float | None = None
        self.current: ItemId | None = None
        self.playing = False
        self.history: list[PlayRecord] = []
        self.pins: dict[ItemId, Item] = {}
        self.order: list[tuple[Item, Origin]] = []
        self.recheck_at: float | None = None
        self._streaming: tuple[Item, float] | None = None  # a streamed start still being listened

    def run(self) -> Metrics:
        """Replay every event; return the figures."""
        for event in self.trace.events:
            self._advance_to(event.t)
            if event.type == "end":
                self._close_listening()
                self._count_leftovers()
                break
            self._apply(event)
            self._replan()
        return self.metrics

    # --- the clock -------------------------------------------------------------------------

    def _advance_to(self, t: float) -> None:
        while True:
            bandwidth = self.trace.world.bandwidth.get(self.kind, 0.0)
            step = self.disk.time_to_next_completion(bandwidth)
            recheck = self.recheck_at
            candidates = [x for x in (self._after(step), recheck) if x is not None and x <= t]
            if not candidates:
                self._progress(t - self.now, bandwidth)
                self.now = t
                return
            nxt = min(candidates)
            finished = self._progress(nxt - self.now, bandwidth)
            self.now = nxt
            if finished or (recheck is not None and recheck <= nxt):
                self.recheck_at = None
                for item_id in finished:
                    self.disk.files[item_id].last_access = self.now
                self._replan()

    def _after(self, step: float | None) -> float | None:
        return None if step is None else self.now + step

    def _progress(self, seconds: float, bandwidth: float) -> list[ItemId]:
        moved, finished = self.disk.advance(seconds, bandwidth)
        self.metrics.downloaded_bytes += moved
        if self.kind is NetworkKind.CELLULAR:
            self.metrics.metered_bytes += moved
        self.metrics.max_storage_bytes = max(self.metrics.max_storage_bytes, self.disk.used)
        return finished

    # --- trace events ----------------------------------------------------------------------

    def _apply(self, event: Event) -> None:
        if event.type == "network":
            assert event.kind is not None
            self.kind = event.kind
        elif event.type == "queue":
            self.queue = tuple(self.trace.tracks[i] for i in event.items)
            self.index = event.index if self.queue else None
            self.queue_since = self.now
        elif event.type == "play":
            assert event.item_id is not None
            self._play(self.trace.tracks[event.item_id])
        elif event.type == "stop":
            self._close_listening()
            self.playing = False
        elif event.type == "pin":
            self._pin(event)

    def _play(self, item: Item) -> None:
        self._close_listening()
        self.metrics.starts += 1
        f = self.disk.files.get(item.id)
        if f is not None and f.complete:
            self.metrics.local += 1
            f.played = True
            f.last_access = self.now
        elif self.kind is not NetworkKind.OFFLINE:
            self.metrics.streamed += 1
            self._streaming = (item, self.now)
        else:
            self.metrics.unplayable += 1
        self.index = self._find_in_queue(item.id)
        self.current = item.id
        self.playing = True
        self.history.append(PlayRecord(item.id, item.album_id, self.now, self.kind))

    def _find_in_queue(self, item_id: ItemId) -> int | None:
        ids = [i.id for i in self.queue]
        start = self.index if self.index is not None else 0
        search: list[int] = [*range(start, len(ids)), *range(min(start, len(ids)))]
        for n in search:
            if ids[n] == item_id:
                return n
        return self.index

    def _close_listening(self) -> None:
        if self._streaming is None:
            return
        item, started = self._streaming
        listened = min(self.now - started, item.duration)
        self.metrics.streamed_bytes += item.size * listened / item.duration
        self._streaming = None

    def _pin(self, event: Event) -> None:
        if event.item_id is not None:
            items: tuple[Item, ...] = (self.trace.tracks[event.item_id],)
        else:
            assert event.album_id is not None
            items = self.trace.albums[event.album_id]
        for item in items:
            self.pins.setdefault(item.id, item)
            f = self.disk.files.get(item.id)
            if f is not None:
                f.origin = Origin.USER

    # --- the policy ------------------------------------------------------------------------

    def _replan(self) -> None:
        plan = self.policy.plan(self._snapshot())
        self._execute(plan)

    def _snapshot(self) -> Snapshot:
        used = int(self.disk.used + 0.999)
        return Snapshot(
            now=self.now,
            queue=self.queue,
            index=self.index,
            queue_since=self.queue_since,
            current=self.current,
            playing=self.playing,
            history=tuple(self.history[-HISTORY_LIMIT:]),
            pins=tuple(self.pins.values()),
            files=self.disk.snapshot_files(),
            network=NetState(self.kind, metered=self.kind is NetworkKind.CELLULAR),
            disk=DiskState(used, self.trace.world.disk_total - used),
            albums=self.trace.albums,
        )

    def _execute(self, plan: Plan) -> None:
        for evict in plan.evictions:
            self._evict(evict.item_id)
        self.order = [(self.trace.tracks[f.item_id], f.origin) for f in plan.fetches]
        self.disk.choose_running(self.order, self._permitted, self.now)
        if plan.recheck_after is not None:
            self.recheck_at = self.now + plan.recheck_after

    def _permitted(self, origin: Origin) -> bool:
        if self.kind is NetworkKind.OFFLINE:
            return False
        if self.kind is NetworkKind.CELLULAR and self.config.wifi_only:
            return origin is Origin.USER and self.config.pins_on_metered
        return True

    def _evict(self, item_id: ItemId) -> None:
        if item_id == self.current and self.playing:
            raise SimulationError(f"the policy evicted the playing track {item_id}")
        f = self.disk.delete(item_id)
        if f is not None and not f.played and item_id not in self.pins:
            self.metrics.wasted_bytes += f.bytes

    def _count_leftovers(self) -> None:
        for item_id, f in self.disk.files.items():
            if not f.played and item_id not in self.pins:
                self.metrics.wasted_bytes += f.bytes
