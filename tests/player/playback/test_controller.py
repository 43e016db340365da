"""The PlayerController on the fake engine: each load resolved once (a gapless start asks no
second time, so `playing_from` is what the engine really opened), a streamed next swapped for its
local copy when the download lands, and the inbox loop surviving a command's error."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from cache.models import PlayingFrom, Resolved, Track
from player.engine.fake import FakeEngine
from player.playback import commands as c
from player.playback.controller import PlayerController
from tests.builders import make_track
from tests.polling import until

ALBUM = [make_track(f"t{n}", duration=0.4, number=n) for n in range(1, 4)]


@dataclass
class CountingResolver:
    """Streams unless an id is in `local`; counts every lookup per item."""

    local: set[str] = field(default_factory=set)
    asked: dict[str, int] = field(default_factory=dict)

    async def resolve(self, track: Track) -> Resolved | None:
        self.asked[track.id] = self.asked.get(track.id, 0) + 1
        where = PlayingFrom.LOCAL if track.id in self.local else PlayingFrom.STREAM
        return Resolved(f"/media/{track.id}", where)


@pytest.fixture
async def deck() -> AsyncIterator[tuple[PlayerController, CountingResolver, FakeEngine]]:
    engine = FakeEngine(speed=1.0, default_duration=0.4, position_interval=0.05)
    resolver = CountingResolver()
    controller = PlayerController(engine, resolver)
    task = asyncio.create_task(controller.run())
    try:
        yield controller, resolver, engine
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await engine.shutdown()


def playing_order(controller: PlayerController, seen: list[tuple[str, str | None]]) -> None:
    entry = controller.queue.current
    if entry is not None and (not seen or seen[-1][0] != entry.item.id):
        seen.append((entry.item.id, controller.playing_from and str(controller.playing_from)))


async def test_each_track_is_resolved_once_through_a_gapless_album(
    deck: tuple[PlayerController, CountingResolver, FakeEngine],
) -> None:
    controller, resolver, _ = deck
    seen: list[tuple[str, str | None]] = []
    controller.add_listener(lambda _: playing_order(controller, seen))
    await controller.submit(c.QueueAdd(tuple(ALBUM), c.QueueMode.REPLACE, play=True))
    await until(lambda: controller.state is c.PlayState.STOPPED and len(seen) == 3, tries=1000)
    assert [item for item, _ in seen] == ["t1", "t2", "t3"]
    assert resolver.asked == {"t1": 1, "t2": 1, "t3": 1}


async def test_a_streamed_next_is_swapped_for_its_copy_when_it_lands(
    deck: tuple[PlayerController, CountingResolver, FakeEngine],
) -> None:
    controller, resolver, engine = deck
    slow = [make_track("s1", duration=30.0), make_track("s2", duration=30.0)]
    await controller.submit(c.QueueAdd(tuple(slow), c.QueueMode.REPLACE, play=True))
    assert engine.next is not None and engine.next.url == "/media/s2"
    assert controller.link.playing_from(engine.next.token) is PlayingFrom.STREAM
    resolver.local.add("s2")
    await controller.submit(c.CopyLanded("s2"))
    assert engine.next is not None
    assert controller.link.playing_from(engine.next.token) is PlayingFrom.LOCAL
    await controller.submit(c.CopyLanded("s1"))  # not the next one: nothing changes
    assert resolver.asked == {"s1": 1, "s2": 2}
    await controller.submit(c.Next())
    assert controller.playing_from is PlayingFrom.LOCAL


async def test_a_failing_command_is_raised_to_its_sender_and_the_loop_goes_on(
    deck: tuple[PlayerController, CountingResolver, FakeEngine],
) -> None:
    controller, _, _ = deck
    with pytest.raises(ValueError, match="position"):
        await controller.submit(c.Seek(-1.0))
    await controller.submit(c.SetVolume(volume=40))
    assert controller.volume == 40


class NothingPlays:
    """Every track unavailable (a queue of streams with the server away and nothing on disk)."""

    async def resolve(self, track: Track) -> Resolved | None:
        return None


async def test_a_long_queue_of_unplayable_tracks_stops_after_a_bounded_run_of_skips() -> None:
    from player.playback.engine_events import MAX_SKIPS_IN_ROW

    controller = PlayerController(FakeEngine(), NothingPlays())
    problems: list[object] = []
    controller.add_problem_listener(problems.append)
    task = asyncio.create_task(controller.run())
    try:
        tracks = tuple(make_track(f"t{n}") for n in range(5_000))
        await controller.submit(c.QueueAdd(tracks, c.QueueMode.REPLACE, play=True))
        assert controller.state is c.PlayState.STOPPED
        assert len(problems) == MAX_SKIPS_IN_ROW  # not 5,000 toasts, and no RecursionError
        assert controller.queue.index == MAX_SKIPS_IN_ROW - 1
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
