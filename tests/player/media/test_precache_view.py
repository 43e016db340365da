"""The pre-cacher's view of the player's queue (player/media/precache.py): the queue's tracks
built only where the plan reads them, the ids beside them, the same plan as from Tracks."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import aiosqlite
import pytest

from cache.models import Track
from cache.planner import CacheConfig, DiskState
from cache.precache.runner import PLAN_AHEAD, PLAN_BEHIND, Inputs, Precacher, QueueView
from player.media.precache import QueuedTracks, queue_view
from player.playback.commands import PlayState
from player.playback.controller import PlayerController
from player.playback.entry import Entry
from player.playback.queue import PlayQueue
from tests.builders import make_track
from tests.cache.planner.planner_kit import MB, WIFI
from tests.cache.precache.fake_manager import FakeManager


@pytest.fixture
def db(fresh_db: aiosqlite.Connection) -> aiosqlite.Connection:
    return fresh_db


def track(n: int) -> Track:
    return make_track(f"t{n}", duration=240.0, number=n, title=f"Song {n}", size=10 * MB)


def controller(queue: PlayQueue) -> PlayerController:
    return cast(PlayerController, SimpleNamespace(queue=queue, state=PlayState.PLAYING))


def test_the_view_reads_tracks_only_where_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    queue = PlayQueue()
    queue.append([track(n) for n in range(1_000)])
    queue.jump(500)
    built: list[str] = []
    item = Entry.item

    def counted(entry: Entry) -> Track:
        built.append(entry.item_id)
        return item.fget(entry)  # type: ignore[attr-defined,no-any-return]

    monkeypatch.setattr(Entry, "item", property(counted))
    view = queue_view(controller(queue))
    assert view.ids() == tuple(f"t{n}" for n in range(1_000)) and not built
    assert (view.index, view.current, view.playing) == (500, "t500", True)
    assert view.tracks[3] == track(3) and list(view.tracks[4:6]) == [track(4), track(5)]
    assert built == ["t3", "t4", "t5"]
    queue.remove(queue.entries[0].entry_id)  # the view keeps the order it was made with
    assert len(view.tracks) == 1_000 and view.tracks[0] == track(0)
    assert queue_view(controller(queue), view).tracks is view.tracks  # reused as it is


async def test_the_plan_is_the_one_made_from_tracks(db: aiosqlite.Connection) -> None:
    config = CacheConfig(storage_limit=100 * MB, min_free_bytes=0)
    tracks = tuple(track(n) for n in range(5_000))
    queue = PlayQueue()
    queue.append(tracks)
    queue.jump(2_500)
    snaps = []
    for view in (QueueView(tracks, index=2_500), queue_view(controller(queue))):
        inputs = Inputs(
            db, FakeManager(), lambda: config, lambda: WIFI, lambda: DiskState(0, 1 << 40)
        )
        precacher = Precacher(inputs)
        precacher.want(view)
        snaps.append(await precacher.snapshot())
    from_tracks, from_queue = snaps
    assert len(from_queue.queue) == PLAN_BEHIND + PLAN_AHEAD
    assert (from_queue.queue, from_queue.index) == (from_tracks.queue, from_tracks.index)
    assert isinstance(queue_view(controller(queue)).tracks, QueuedTracks)
