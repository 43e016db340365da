"""The simulator's download manager: requests kept like the downloads table's rows, the executor's
steps applied to them the way the device's manager applies them, and transfers started through
the one gate in the device's queue order (priority first, then the oldest request)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cache import gate
from cache.executor import Request, State, Step, Verb
from cache.models import ItemId
from cache.planner.config import CacheConfig
from cache.planner.snapshot import Item, Origin
from cache.simulate.transfers import Disk, SimFile


@dataclass(slots=True)
class SimRequest:
    """A row of the simulated downloads table (pending, running or paused)."""

    item: Item
    origin: Origin
    priority: int
    seq: int  # creation order: the table's queued_at
    state: State = State.QUEUED


class SimDownloader:
    """Requests over the simulated disk; `schedule` is the device scheduler's turn."""

    def __init__(
        self,
        disk: Disk,
        config: CacheConfig,
        tracks: Callable[[ItemId], Item],
        on_evict: Callable[[ItemId, SimFile | None], None],
    ) -> None:
        """`on_evict(item_id, file)` hears of every eviction (the simulator counts waste)."""
        self.disk = disk
        self.config = config
        self._tracks = tracks
        self._on_evict = on_evict
        self._requests: dict[ItemId, SimRequest] = {}
        self._seq = 0
        # The track a stream-through fetches (in one transfer of its own): its request waits,
        # and the plan neither holds nor evicts it while it plays.
        self.streaming: ItemId | None = None

    def requests(self) -> dict[ItemId, Request]:
        """The requests as the executor reads them."""
        return {i: Request(i, r.origin, r.priority, r.state) for i, r in self._requests.items()}

    def request(self, item: Item, origin: Origin, priority: int = 0) -> None:
        """Queue `item` (a person's download, or the executor's); an existing request is adopted:
        a person's request makes it theirs, and its priority is only ever raised."""
        f = self.disk.files.get(item.id)
        if f is not None and origin is Origin.USER:
            f.origin = Origin.USER
        if f is not None and f.complete:
            return
        old = self._requests.get(item.id)
        if old is None:
            self._seq += 1
            self._requests[item.id] = SimRequest(item, origin, priority, self._seq)
            return
        if origin is Origin.USER:
            old.origin = Origin.USER
        old.priority = max(old.priority, priority)

    def apply(self, step: Step) -> None:
        """Carry out one step of the plan, as the device's manager does."""
        old = self._requests.get(step.item_id)
        if step.item_id == self.streaming:
            return  # what plays is neither held nor evicted (cache/downloads/streaming.py)
        if step.verb is Verb.EVICT:
            self._on_evict(step.item_id, self.disk.delete(step.item_id))
            self.forget(step.item_id)
        elif step.verb is Verb.HOLD and old is not None:
            old.state = State.HELD
            self.disk.stop(step.item_id)
        elif step.verb is Verb.FETCH:
            if old is not None and old.state is State.HELD:
                old.state = State.QUEUED
            if step.origin is Origin.AUTO:
                self.request(self._tracks(step.item_id), step.origin, step.priority)

    def forget(self, item_id: ItemId) -> None:
        """The file was completed or evicted: its request is no longer active."""
        self._requests.pop(item_id, None)

    def schedule(self, cond: gate.Conditions, now: float) -> None:
        """Stop the transfers the gate no longer lets run, then take the gate's turn as the
        device's scheduler does: stop what a person's download needs the room of, start what
        it admits."""
        for item_id in list(self.disk.running):
            reason = gate.wait_reason(self.config, cond, self._requests[item_id].origin)
            if reason is not None or item_id == self.streaming:
                self.disk.stop(item_id)
        running = [self._requests[i] for i in self.disk.running]  # in the order they started
        busy = (*self.disk.running, self.streaming)
        queued = sorted(
            (
                r
                for r in self._requests.values()
                if r.state is State.QUEUED and r.item.id not in busy
            ),
            key=lambda r: (r.origin is not Origin.USER, -r.priority, r.seq),  # the table's order
        )
        slots = self.config.max_concurrent_downloads
        turn = gate.turn(self.config, cond, running, queued, self._transfer, slots)
        for r in turn.stop:
            self.disk.stop(r.item.id)
        for r in turn.start:
            self.disk.start(r.item, r.origin, now)

    def _transfer(self, r: SimRequest) -> gate.Transfer:
        return gate.Transfer(r.origin, self.disk.remaining(r.item.id, r.item.size))
