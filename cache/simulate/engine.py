"""The simulator: replays a trace on a virtual clock against a policy, event to event.

The clock jumps from one trace event, transfer completion or policy recheck to the next; between them
transfers progress linearly, so a week of listening is a few thousand steps. It counts whole
milliseconds from the first event (an int), and every jump is at least one of them: a large
timestamp cannot swallow a small step, and a trace shifted in time gives the same figures.

Plans are carried out by the device's executor (cache/executor.py) over a simulated download
manager that starts transfers through the device's gate (cache/gate.py).
"""

from __future__ import annotations

import math

from cache import executor, gate
from cache.errors import CacheError
from cache.gate import Conditions
from cache.models import ItemId
from cache.planner.config import CacheConfig
from cache.planner.link import LinkLog
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
from cache.simulate.downloader import SimDownloader
from cache.simulate.metrics import Metrics
from cache.simulate.stream import Stream
from cache.simulate.trace import TICKS_PER_SECOND, Event, Trace
from cache.simulate.transfers import Disk, SimFile

HISTORY_LIMIT = 500  # plays handed to the policy, like the service's bounded history query


class SimulationError(CacheError):
    """A policy broke a rule of the model (evicting the track being played from disk)."""


class Simulator:
    """One run of one policy over one trace."""

    def __init__(
        self,
        trace: Trace,
        policy: Policy,
        config: CacheConfig,
        name: str,
        stream_through: bool = False,
    ) -> None:
        """`stream_through`: a track that must stream is fetched whole as it plays, and kept
        (when the gate and the storage limit allow) for later starts."""
        self.trace = trace
        self.policy = policy
        self.config = config
        self.metrics = Metrics(name)
        self.disk = Disk()
        self.downloader = SimDownloader(self.disk, config, trace.tracks.__getitem__, self._evicted)
        self.tick = 0
        self.kind = NetworkKind.OFFLINE
        self.queue: tuple[Item, ...] = ()
        self.index: int | None = None
        self.queue_since: float | None = None
        self.current: ItemId | None = None
        self.playing = False
        self.history: list[PlayRecord] = []
        self.pins: dict[ItemId, Item] = {}
        self.recheck_at: int | None = None
        self.link = LinkLog()  # what the device measures of its network, as on the device
        self.stream_through = stream_through
        self._streaming: tuple[Item, float] | None = None  # a start still being listened, not local
        self._stream: Stream | None = None  # its bytes and silence (None when unplayable)
        self._kept = False  # the stream's bytes were kept in the cache (stream-through)

    @property
    def now(self) -> float:
        """Seconds since the first event: the clock the policy sees."""
        return self.tick / TICKS_PER_SECOND

    def run(self) -> Metrics:
        """Replay every event; return the figures."""
        for event in self.trace.events:
            self._advance_to(event.tick)
            if event.type == "end":
                self._close_listening()
                self._count_leftovers()
                break
            self._apply(event)
            self._replan()
        return self.metrics

    # --- the clock -------------------------------------------------------------------------

    def _advance_to(self, target: int) -> None:
        while True:
            bandwidth = self.trace.world.bandwidth.get(self.kind, 0.0)
            step = self.disk.time_to_next_completion(bandwidth)
            done = None if step is None else self.tick + _ticks(step)
            recheck = self.recheck_at
            candidates = [x for x in (done, recheck) if x is not None and x <= target]
            if not candidates:
                self._progress((target - self.tick) / TICKS_PER_SECOND, bandwidth)
                self.tick = target
                return
            nxt = min(candidates)
            finished = self._progress((nxt - self.tick) / TICKS_PER_SECOND, bandwidth)
            self.tick = nxt
            if finished or (recheck is not None and recheck <= nxt):
                self.recheck_at = None
                for item_id in finished:
                    self.disk.files[item_id].last_access = self.now
                    self.downloader.forget(item_id)
                self._replan()

    def _progress(self, seconds: float, bandwidth: float) -> list[ItemId]:
        self._listen(seconds, bandwidth)
        moved, finished = self.disk.advance(seconds, bandwidth)
        if moved > 0 and self.kind is not NetworkKind.CELLULAR:
            self.link.moved(moved, seconds)  # transfers ran the whole step: it ends at a completion
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
            online, metered = event.kind is not NetworkKind.OFFLINE, self._net_state().metered
            self.link.network(online, self.now, metered=metered)
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
            self._stream = Stream(item, self.stream_through)
            if self.stream_through:
                self._take_over(item, f)
        else:
            self.metrics.unplayable += 1
            self._streaming = (item, self.now)
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

    def _take_over(self, item: Item, partial: SimFile | None) -> None:
        """Stream-through fetches the track in the download manager's one transfer, on from a
        partial's bytes (a Range resume): the partial's own transfer stops, and while it
        streams the plan's requests for it change nothing (as on the device)."""
        self.downloader.streaming = item.id
        self.disk.stop(item.id)
        if partial is not None and self._stream is not None:
            self._stream.arrived = partial.bytes

    def _close_listening(self) -> None:
        if self._streaming is None:
            return
        item, started = self._streaming
        listened = min(self.now - started, item.duration)
        if self._stream is None:
            self.metrics.silent_seconds += listened  # unplayable: silent for its whole listen
        elif not self._kept:
            self.metrics.streamed_bytes += item.size * listened / item.duration
            if self._stream.through:
                self._leave_partial(self._stream)
        self.downloader.streaming = None
        self._streaming = None
        self._stream = None
        self._kept = False

    def _leave_partial(self, stream: Stream) -> None:
        """A stream-through that ended before its bytes were all there (a skip): its partial goes
        to the plan when a copy may be kept now, else it is dropped with its bytes."""
        item = stream.item
        old = self.disk.files.get(item.id)
        have = old.bytes if old is not None else 0.0
        origin = old.origin if old is not None else Origin.AUTO
        cond = self._conditions()
        if not gate.keeps(self.config, cond, origin, int(stream.arrived - have + 0.999)):
            if old is not None and origin is Origin.AUTO:
                self.disk.delete(item.id)
                self.downloader.forget(item.id)
                if not old.played and item.id not in self.pins:
                    self.metrics.wasted_bytes += old.bytes
            return
        if stream.arrived <= have:
            return
        if old is None:
            old = self.disk.files[item.id] = SimFile(item, origin, self.now)
        self.disk.used += stream.arrived - have
        old.bytes = stream.arrived
        self._count_fetched(stream.arrived - have)

    def _listen(self, seconds: float, bandwidth: float) -> None:
        """The streamed start goes on for `seconds`: its bytes take their share of the link."""
        stream = self._stream
        if stream is None or seconds <= 0:
            return
        link = bandwidth / (len(self.disk.running) + 1) if bandwidth > 0 else 0.0
        before = stream.silent
        stream.advance(seconds, link)
        self.metrics.silent_seconds += stream.silent - before
        if stream.through and stream.all_arrived and not self._kept:
            self._keep(stream.item)

    def _keep(self, item: Item) -> None:
        """Stream-through: the arrived track becomes a cached file, when the gate lets an automatic
        copy be written now and it fits the storage limit; otherwise nothing is kept."""
        old = self.disk.files.get(item.id)
        have = old.bytes if old is not None else 0.0
        origin = old.origin if old is not None else Origin.AUTO
        uncounted = int(item.size - have + 0.999)
        if not gate.keeps(self.config, self._conditions(), origin, uncounted):
            return
        self._kept = True
        self.disk.delete(item.id)
        self.downloader.forget(item.id)
        kept = SimFile(item, origin, self.now, float(item.size), self.now, played=True)
        self.disk.files[item.id] = kept
        self.disk.used += item.size
        self._count_fetched(item.size - have)  # a partial's bytes are not fetched twice

    def _count_fetched(self, moved: float) -> None:
        self.metrics.downloaded_bytes += moved
        if self.kind is NetworkKind.CELLULAR:
            self.metrics.metered_bytes += moved

    def _pin(self, event: Event) -> None:
        if event.item_id is not None:
            items: tuple[Item, ...] = (self.trace.tracks[event.item_id],)
        else:
            assert event.album_id is not None
            items = self.trace.albums[event.album_id]
        for item in items:
            self.pins.setdefault(item.id, item)
            self.downloader.request(item, Origin.USER)  # what the API's download_item does

    # --- the policy ------------------------------------------------------------------------

    def _replan(self) -> None:
        self.execute(self._snapshot())

    def execute(self, snap: Snapshot) -> Plan:
        """Ask the policy about `snap` and carry its plan out (the replay's step; tests feed
        snapshots of their own)."""
        plan = self.policy.plan(snap)
        self._execute(plan)
        return plan

    def _snapshot(self) -> Snapshot:
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
            network=self._net_state(),
            link=self.link.record(self.now),
            disk=self._disk_state(),
            albums=self.trace.albums,
        )

    def _execute(self, plan: Plan) -> None:
        for step in executor.steps(plan, self.downloader.requests()):
            self.downloader.apply(step)
        self.downloader.schedule(self._conditions(), self.now)
        if plan.recheck_after is not None:
            self.recheck_at = self.tick + _ticks(plan.recheck_after)

    def _conditions(self) -> Conditions:
        return Conditions(self._net_state(), self._disk_state())

    def _net_state(self) -> NetState:
        return NetState(self.kind, metered=self.kind is NetworkKind.CELLULAR)

    def _disk_state(self) -> DiskState:
        used = int(self.disk.used + 0.999)
        return DiskState(used, self.trace.world.disk_total - used)

    def _evicted(self, item_id: ItemId, f: SimFile | None) -> None:
        if item_id == self.current and self.playing:
            raise SimulationError(f"the policy evicted the playing track {item_id}")
        if f is not None and not f.played and item_id not in self.pins:
            self.metrics.wasted_bytes += f.bytes

    def _count_leftovers(self) -> None:
        for item_id, f in self.disk.files.items():
            if not f.played and item_id not in self.pins:
                self.metrics.wasted_bytes += f.bytes


def _ticks(seconds: float) -> int:
    """A duration on the clock: whole milliseconds, rounded up, never less than one."""
    return max(1, math.ceil(seconds * TICKS_PER_SECOND))
