"""The pre-cache loop: on every change that matters, build a Snapshot, ask the policy, carry out the
plan with the one executor (cache/executor.py) through the download manager. The simulator drives
the very same policy objects and executor."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import aiosqlite

from cache import executor
from cache.catalogue import Catalogue
from cache.contain import one_round
from cache.models import AlbumId, ItemId, Track
from cache.planner import Plan, Policy, Snapshot, make_policy
from cache.planner.config import CacheConfig
from cache.planner.explain import reasons
from cache.planner.signals import albums_read
from cache.planner.snapshot import DiskState, FileState, Item, LinkRecord, NetState, PlayRecord
from cache.precache.execute import Manager, ManagerDownloader
from cache.precache.inputs import album_items, local_files, read_downloads, to_item
from cache.quality import Profile
from cache.timeouts import woken

log = logging.getLogger(__name__)
HISTORY_LIMIT = 500  # plays handed to the policy (the simulator uses the same bound)
History = Callable[[], Awaitable[Sequence[PlayRecord]]]
# The queue the policy sees: a window around the current entry. A 20,000-entry queue planned
# whole costs tens of milliseconds per plan on this machine (ten times that on a Pi) for files
# days of listening away; 2,000 entries ahead is more than a card holds of automatic copies.
PLAN_BEHIND = 200  # entries before the current one (a listener going back)
PLAN_AHEAD = 2_000


async def _no_history() -> Sequence[PlayRecord]:
    return ()


@dataclass(frozen=True, slots=True)
class QueueView:
    """The play queue as the pre-cacher needs it: tracks in play order and where playback is.

    `tracks` may build each track as it is read (the player's queue keeps its entries packed,
    player/playback/queue.py): only the planned window is read, and `item_ids`, when given,
    are the ids in the same order, so comparing queues builds no track at all.
    """

    tracks: Sequence[Track] = ()
    index: int | None = None
    current: ItemId | None = None  # the track playing or paused, once it has started
    playing: bool = False
    item_ids: Sequence[str] | None = None

    def ids(self) -> Sequence[str]:
        """The track ids in queue order."""
        return self.item_ids if self.item_ids is not None else tuple(t.id for t in self.tracks)


@dataclass(frozen=True, slots=True)
class Inputs:
    """Where the loop reads the world; callables so that each plan sees the latest state."""

    db: aiosqlite.Connection
    manager: Manager
    config: Callable[[], CacheConfig]
    network: Callable[[], NetState]
    disk: Callable[[], DiskState]
    history: History = _no_history
    link: Callable[[], LinkRecord] = LinkRecord  # what the device measured of its network


class Precacher:
    """Replans when poked (queue, network, disk, config or a download changed) or when the last
    plan asked for a recheck; never more than once per `min_gap` seconds."""

    def __init__(
        self, inputs: Inputs, *, clock: Callable[[], float] = time.time, min_gap: float = 0.5
    ) -> None:
        self._in = inputs
        self._catalogue = Catalogue(inputs.db)
        self._clock = clock
        self._min_gap = min_gap
        self._view = QueueView()
        self._memo: dict[str, tuple[Item, FileState | None]] = {}  # by track id
        self._memo_profile: Profile | None = None
        self._queue_since: float | None = None
        self._wake = asyncio.Event()
        self._policy: Policy = make_policy(inputs.config())
        self.downloader = ManagerDownloader(inputs.manager)
        self.last_plan = Plan()
        self.last_reasons: tuple[str, ...] = ("looking at what to keep",)  # the last plan, in words

    def want(self, view: QueueView) -> None:
        """The queue or playback changed; a queue that is not an extension of the last one counts
        as replaced (the policy ramps its lookahead up again)."""
        # The same tracks tuple is the same queue (a track change): 20,000 ids are not compared.
        if view.tracks is not self._view.tracks:
            old, new = tuple(self._view.ids()), tuple(view.ids())
            if new != old and new[: len(old)] != old:
                self._queue_since = self._clock()
        self._view = view
        self.poke()

    def poke(self) -> None:
        """Something the plan depends on changed: plan again soon."""
        self._wake.set()

    def config_changed(self, config: CacheConfig) -> None:
        """A new CacheConfig (the policy may be another one now)."""
        self._policy = make_policy(config)
        self.poke()

    async def run(self) -> None:
        """Plan whenever poked, for the life of the service."""
        while True:
            await woken(self._wake, self.last_plan.recheck_after)
            self._wake.clear()
            # One bad plan must not stop pre-caching for good; the next change retries.
            await one_round(self.plan_once(), "pre-cache plan", log)
            await asyncio.sleep(self._min_gap)

    async def plan_once(self) -> Plan:
        """Build the snapshot, ask the policy, carry the plan out; returns the plan."""
        return await self.execute(await self.snapshot())

    async def execute(self, snap: Snapshot) -> Plan:
        """Ask the policy about `snap` and carry its plan out (tests feed snapshots of their own)."""
        # The policy is pure and the snapshot frozen: over a 20,000-entry queue a plan takes tens
        # of milliseconds, which on the event loop would stall every request and the music's events.
        plan, why = await asyncio.to_thread(_plan_and_reasons, self._policy, snap)
        for step in executor.steps(plan, await self.downloader.requests()):
            await self.downloader.apply(step)
        self.last_plan = plan
        self.last_reasons = why
        return plan

    async def snapshot(self) -> Snapshot:
        """Everything the policy may look at, now."""
        view = self._view
        files, pins = await read_downloads(self._in.db, self._in.manager.fetched_sources)
        history = tuple((await self._in.history())[-HISTORY_LIMIT:])
        config = self._in.config()
        albums = albums_read(history, config.album_affinity_threshold)
        profile = config.transcode_profile(automatic=True)  # the plan makes automatic copies
        queue, local, start = self._queue_inputs(view, profile)
        return Snapshot(
            now=self._clock(),
            queue=queue,
            index=None if view.index is None else view.index - start,
            queue_since=self._queue_since,
            current=view.current,
            playing=view.playing,
            history=history,
            pins=tuple(pins),
            files=files | local,
            network=self._in.network(),
            link=self._in.link(),
            disk=self._in.disk(),
            albums=await album_items(self._catalogue, sorted(AlbumId(a) for a in albums), profile),
        )

    def _queue_inputs(
        self, view: QueueView, profile: Profile | None
    ) -> tuple[tuple[Item, ...], dict[ItemId, FileState], int]:
        """The planned window of the queue as planner items, its local files, and where the
        window starts. Items are remembered by track id, so a track change makes one new item."""
        if profile != self._memo_profile or len(self._memo) > 4 * (PLAN_BEHIND + PLAN_AHEAD):
            self._memo.clear()
            self._memo_profile = profile
        index = view.index or 0
        start = max(0, index - PLAN_BEHIND)
        stop = min(len(view.tracks), index + PLAN_AHEAD)
        ids = view.item_ids
        items: list[Item] = []
        local: dict[ItemId, FileState] = {}
        for pos in range(start, stop):
            # The id first: a track is built (or looked at) only when it is not remembered.
            item_id = ids[pos] if ids is not None else view.tracks[pos].id
            made = self._memo.get(item_id)
            if made is None:
                track = view.tracks[pos]
                file = local_files((track,)).get(ItemId(track.id))
                made = self._memo[track.id] = (to_item(track, profile), file)
            items.append(made[0])
            if made[1] is not None:
                local[made[0].id] = made[1]
        return tuple(items), local, start


def _plan_and_reasons(policy: Policy, snap: Snapshot) -> tuple[Plan, tuple[str, ...]]:
    plan = policy.plan(snap)
    return plan, reasons(plan, snap)
