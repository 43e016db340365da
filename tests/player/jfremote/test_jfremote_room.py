"""The remote-control room: requests as Commands (pure rules), and the room driving a controller
with the fake engine; the report fields it feeds; the page's JSON for what it publishes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import pytest

from cache.jellyfin.playstate import QUEUE_REPORT_LIMIT, PlaybackOrder, RepeatMode, queue_window
from cache.jellyfin.remote.items import CastItems
from cache.jellyfin.remote.messages import (
    DisplayMessage,
    MuteChange,
    MuteRequest,
    PlayCommand,
    PlayItems,
    PlaystateCommand,
    PlaystateRequest,
    RemoteRequest,
    RepeatRequest,
    SetVolumeRequest,
    StepVolumeRequest,
)
from cache.models import ItemId, SourceKind, Track
from player.engine.fake import FakeEngine
from player.jfremote.events import RemoteProblem
from player.jfremote.room import JellyfinRemote
from player.jfremote.translate import PlayerView, commands_for, play_commands, start_among_known
from player.media.reporting import player_extras
from player.playback import commands as c
from player.playback.commands import PlayState
from player.playback.controller import PlayerController
from player.playback.queue import Repeat
from player.playback.resolve import PlayingFrom, Resolved
from player.web.wire import event_json
from tests.builders import make_track
from tests.polling import until


def track(n: int, source: SourceKind = SourceKind.JELLYFIN) -> Track:
    return make_track(
        f"{n:032x}", duration=100.0, source=source, album_id="a" * 32, number=n, title=f"Song {n}"
    )


PLAYING = PlayerView(PlayState.PLAYING, 40.0, 100.0, 70, False, 3)
IDLE = PlayerView(PlayState.STOPPED, 0.0, None, 70, False, 0)
T = [track(n) for n in range(1, 6)]


@pytest.mark.parametrize(
    ("request_", "view", "expected"),
    [
        (PlaystateRequest(PlaystateCommand.UNPAUSE), PLAYING, [c.Play()]),
        (PlaystateRequest(PlaystateCommand.PLAY_PAUSE), PLAYING, [c.Toggle()]),
        (PlaystateRequest(PlaystateCommand.SEEK, 12.5), PLAYING, [c.Seek(12.5)]),
        (PlaystateRequest(PlaystateCommand.SEEK, 100.5), PLAYING, []),  # past the end
        (PlaystateRequest(PlaystateCommand.SEEK, 5.0), IDLE, []),
        (PlaystateRequest(PlaystateCommand.REWIND), PLAYING, [c.Seek(30.0)]),
        (PlaystateRequest(PlaystateCommand.FAST_FORWARD), PLAYING, [c.Seek(70.0)]),
        (PlaystateRequest(PlaystateCommand.FAST_FORWARD),
         PlayerView(PlayState.PLAYING, 80.0, 100.0, 70, False, 3), [c.Next()]),
        (SetVolumeRequest(70), PLAYING, []),  # controllers resend it: only a change counts
        (SetVolumeRequest(35), PLAYING, [c.SetVolume(volume=35)]),
        (StepVolumeRequest(up=False), PLAYING, [c.SetVolume(delta=-5)]),
        (MuteRequest(MuteChange.TOGGLE), PLAYING, [c.SetOptions(muted=True)]),
        (MuteRequest(MuteChange.UNMUTE), PLAYING, [c.SetOptions(muted=False)]),
        (RepeatRequest(RepeatMode.ONE), PLAYING, [c.SetOptions(repeat=Repeat.ONE)]),
    ],
)  # fmt: skip
def test_requests_as_commands(
    request_: RemoteRequest, view: PlayerView, expected: list[c.Command]
) -> None:
    assert commands_for(request_, view) == expected


def test_play_commands_follow_jellyfin_web() -> None:
    ids = tuple(t.id for t in T)
    now = PlayItems(ids, PlayCommand.PLAY_NOW, 2, 7.0)
    assert play_commands(now, T, (), PLAYING) == [
        c.QueueAdd(tuple(T), c.QueueMode.REPLACE, 2, play=True),
        c.Seek(7.0),
    ]
    nxt = PlayItems(ids[:1], PlayCommand.PLAY_NEXT)
    assert play_commands(nxt, T[:1], (), PLAYING) == [c.QueueAdd((T[0],), c.QueueMode.NEXT)]
    last = PlayItems(ids[:1], PlayCommand.PLAY_LAST)
    assert play_commands(last, T[:1], (), IDLE) == [
        c.QueueAdd((T[0],), c.QueueMode.APPEND, play=True)  # an idle speaker starts
    ]
    assert play_commands(now, [], ids, PLAYING) == []


def test_start_index_skips_unknown_ids() -> None:
    a, b, x, d = ItemId("a"), ItemId("b"), ItemId("x"), ItemId("d")
    assert start_among_known([a, x, b, d], 2, {x}, 3) == 1  # b is the second known one
    assert start_among_known([a, b, x], 2, {x}, 2) == 1  # the start itself unknown: the last
    assert start_among_known([x, a], 0, {x}, 1) == 0


@dataclass
class StubItems:
    known: dict[str, Track]

    async def resolve(self, ids: Sequence[ItemId]) -> CastItems:
        found = tuple(self.known[i] for i in ids if i in self.known)
        return CastItems(found, tuple(i for i in dict.fromkeys(ids) if i not in self.known))


@dataclass
class StubReports:
    nudges: int = 0

    def report_now(self) -> None:
        self.nudges += 1


class StreamEverything:
    async def resolve(self, t: Track) -> Resolved | None:
        return Resolved(f"/{t.id}", PlayingFrom.STREAM)


@dataclass
class Room:
    remote: JellyfinRemote
    controller: PlayerController
    reports: StubReports
    published: list[object] = field(default_factory=list)


@pytest.fixture
async def room() -> AsyncIterator[Room]:
    engine = FakeEngine(speed=1.0, position_interval=0.05)
    controller = PlayerController(engine, StreamEverything())
    published: list[object] = []
    reports = StubReports()
    remote = JellyfinRemote(controller, StubItems({t.id: t for t in T}), reports, published.append)
    tasks = [asyncio.create_task(controller.run()), asyncio.create_task(remote.run())]
    try:
        yield Room(remote, controller, reports, published)
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await engine.shutdown()


async def test_a_cast_plays_from_the_start_index_and_position(room: Room) -> None:
    ids = tuple(t.id for t in T)
    await room.remote.handle(PlayItems(ids, PlayCommand.PLAY_NOW, 2, 30.0))
    p = room.controller
    assert p.state is PlayState.PLAYING and p.queue.index == 2
    assert [e.item for e in p.queue.entries] == T and p.position >= 30.0
    assert room.reports.nudges == 1 and room.published == []


async def test_unknown_ids_are_told_to_the_page(room: Room) -> None:
    stranger = ItemId("f" * 32)
    await room.remote.handle(PlayItems((stranger,), PlayCommand.PLAY_NOW))
    assert room.controller.queue.entries == [] and room.reports.nudges == 0
    problem = room.published[0]
    assert isinstance(problem, RemoteProblem) and problem.code == "not_found"
    assert event_json(problem) == {
        "type": "error",
        "error": {"code": "not_found", "message": problem.message},
    }
    await room.remote.handle(PlayItems((T[0].id, stranger), PlayCommand.PLAY_NOW))
    assert [e.item for e in room.controller.queue.entries] == [T[0]]
    assert "1 of the cast tracks" in room.published[1].message  # type: ignore[attr-defined]


async def test_requests_flow_through_the_inbox_and_a_bad_one_is_survived(room: Room) -> None:
    room.remote.offer(PlayItems((T[0].id,), PlayCommand.PLAY_NOW))
    room.remote.offer(PlaystateRequest(PlaystateCommand.SEEK, 99.0))
    room.remote.offer(SetVolumeRequest(70))  # unchanged: no command, no report
    room.remote.offer(DisplayMessage("Hello", "from the sofa"))
    room.remote.offer(SetVolumeRequest(20))
    await until(lambda: room.controller.volume == 20)
    assert room.reports.nudges == 3  # the play, the seek, the volume
    assert room.published == [DisplayMessage("Hello", "from the sofa")]
    assert event_json(room.published[0]) == {"type": "message", "text": "Hello: from the sofa"}


async def test_report_fields_come_from_the_player(room: Room) -> None:
    local = track(99, SourceKind.LOCAL)
    await room.controller.submit(c.QueueAdd((*T, local), c.QueueMode.REPLACE, 1, play=True))
    await room.controller.submit(c.SetOptions(repeat=Repeat.ALL, shuffle=True, muted=True))
    extras = player_extras(room.controller)
    queue = room.controller.queue
    assert extras.playlist_item_id == queue.entries[1].entry_id
    assert local.id not in {q.item_id for q in extras.queue}  # the server knows no local ids
    assert len(extras.queue) == len(T)
    assert (extras.volume, extras.muted) == (70, True)
    assert (extras.repeat, extras.order) == (RepeatMode.ALL, PlaybackOrder.SHUFFLE)


def test_the_reported_queue_is_capped_around_the_current_entry() -> None:
    assert queue_window(10, 3) == range(10)
    window = queue_window(20_000, 12_000)
    assert len(window) == QUEUE_REPORT_LIMIT < 1000 and 12_000 in window
    assert window.start == 12_000 - QUEUE_REPORT_LIMIT // 10
    assert queue_window(20_000, 19_999).stop == 20_000
    assert queue_window(20_000, None) == range(QUEUE_REPORT_LIMIT)
