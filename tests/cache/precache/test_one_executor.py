"""One executor (issue 12, acceptance 3): one sequence of snapshots (queue, plays, network, disk) fed
to the service's pre-cacher (over a fake download manager) and to the simulator (over its simulated
download manager) gives the same downloads, holds and evictions, in the same order, and leaves the
two downloaders holding the same requests after every step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import aiosqlite
import pytest

from cache.executor import Request, Step
from cache.models import ItemId
from cache.planner import CacheConfig, DiskState, Origin, PlayRecord, Snapshot
from cache.planner.policy import make_policy
from cache.precache.runner import Inputs, Precacher
from cache.simulate.engine import Simulator
from cache.simulate.trace import Trace, World
from cache.simulate.transfers import SimFile
from tests.cache.planner.planner_kit import CELL, MB, WIFI, album, complete, partial, plays, snap
from tests.cache.precache.fake_manager import FakeManager

CONFIG = CacheConfig(storage_limit=45 * MB, min_free_bytes=0)
QUEUE = album("q", 6)
OTHER = album("o", 4)
PINNED = album("p", 1)


@dataclass
class Sides:
    """The service's executor and the simulator's, each recording the steps it is given."""

    precacher: Precacher
    manager: FakeManager
    sim: Simulator
    device_steps: list[Step] = field(default_factory=list)
    sim_steps: list[Step] = field(default_factory=list)

    async def feed(self, s: Snapshot) -> None:
        await self.precacher.execute(s)
        self.sim.execute(s)

    async def device_requests(self) -> dict[ItemId, Request]:
        return dict(await self.precacher.downloader.requests())

    def finished(self, item_id: ItemId) -> None:
        """A transfer completes, in both worlds."""
        self.manager.complete(item_id)
        item = self.sim.trace.tracks[item_id]
        self.sim.disk.files[item_id] = SimFile(item, Origin.AUTO, 0.0, bytes=float(item.size))
        self.sim.downloader.forget(item_id)

    async def pin(self, item_id: ItemId) -> None:
        """A person asks for a download (the API on the device, a pin line in a trace)."""
        await self.manager.download_item(item_id, origin=Origin.USER)
        self.sim.downloader.request(self.sim.trace.tracks[item_id], Origin.USER)


def recording(apply: Callable[[Step], object], into: list[Step]) -> Callable[[Step], object]:
    def record(step: Step) -> object:
        into.append(step)
        return apply(step)

    return record


@pytest.fixture
def sides(db: aiosqlite.Connection) -> Sides:
    manager = FakeManager()
    inputs = Inputs(db, manager, lambda: CONFIG, lambda: WIFI, lambda: DiskState(0, 1 << 40))
    precacher = Precacher(inputs)
    everything = (*QUEUE, *OTHER, *PINNED)
    trace = Trace(
        {i.id: i for i in everything},
        {"q": QUEUE, "o": OTHER, "p": PINNED},  # type: ignore[dict-item]
        World(CONFIG.storage_limit, 1 << 40, {}),
        (),
    )
    sim = Simulator(trace, make_policy(CONFIG), CONFIG, "smart")
    made = Sides(precacher, manager, sim)
    precacher.downloader.apply = recording(precacher.downloader.apply, made.device_steps)  # type: ignore[method-assign]
    sim.downloader.apply = recording(sim.downloader.apply, made.sim_steps)  # type: ignore[method-assign]
    return made


def history(n: int) -> tuple[PlayRecord, ...]:
    return plays(QUEUE[:n], start=9_000.0)


async def test_the_service_and_the_simulator_carry_a_plan_out_alike(sides: Sides) -> None:
    q1, q2, q3 = QUEUE[:3]
    steps_so_far = 0

    async def step(s: Snapshot) -> list[Step]:
        nonlocal steps_so_far
        await sides.feed(s)
        assert sides.device_steps == sides.sim_steps
        assert await sides.device_requests() == sides.sim.downloader.requests()
        new = sides.device_steps[steps_so_far:]
        steps_so_far = len(sides.device_steps)
        return new

    # a queue is set: the next track downloads alone
    first = await step(snap(QUEUE))
    assert [s.item_id for s in first] == [q1.id]
    sides.finished(q1.id)
    # it plays from disk: the next minutes of the queue, as far as the storage limit lets them
    played = await step(
        snap(QUEUE, current=q1, files=[complete(q1, played=True)], history=history(1))
    )
    assert played and all(s.verb == "fetch" for s in played)
    # the link turns metered: nothing new is asked for, queued requests wait for the gate
    on_cell = await step(
        snap(
            QUEUE,
            current=q1,
            files=[complete(q1, played=True), partial(q2, 3 * MB, downloading=True)],
            history=history(1),
            network=CELL,
        )
    )
    assert all(s.verb != "fetch" or s.item_id != q1.id for s in on_cell)
    # a person pins a track, the queue is replaced: the old queue's requests are held
    await sides.pin(PINNED[0].id)
    replaced = await step(
        snap(
            OTHER,
            files=[complete(q1, played=True), partial(q2, 3 * MB), partial(q3, MB)],
            history=history(1),
            pins=PINNED,
            network=WIFI,
            queue_since=10_000.0,
        )
    )
    assert any(s.verb == "hold" for s in replaced)
    # the disk is over the limit: automatic copies are evicted, a person's never
    crowded = [complete(i, played=True) for i in QUEUE[:5]]
    full = await step(
        snap(OTHER, current=OTHER[0], files=crowded, history=history(5), pins=PINNED, used=50 * MB)
    )
    assert any(s.verb == "evict" for s in full)
    assert all(s.item_id != PINNED[0].id for s in full if s.verb in ("evict", "hold"))
    assert sides.device_steps == sides.sim_steps and len(sides.device_steps) >= 6
