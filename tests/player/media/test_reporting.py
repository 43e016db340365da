"""Play events from the controller, the relay to the reporter, and the whole service reporting
a Jellyfin track's play to the fake server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from cache.jellyfin.reporting import PlayReporter
from cache.models import SourceKind, Track
from cache.planner.snapshot import NetworkKind
from cache.plays import PlayLog
from player.app import create_app
from player.engine.fake import FakeEngine
from player.media.reporting import PlayEventRelay
from player.playback import commands as c
from player.playback.controller import PlayerController
from player.playback.entry import EntryId
from player.playback.playevents import (
    Paused,
    PlayEvent,
    Resumed,
    Seeked,
    TrackEnded,
    TrackEndReason,
    TrackStarted,
)
from player.playback.resolve import PlayingFrom, Resolved
from player.web.keys import SERVICES
from tests.builders import make_track
from tests.fakes.jellyfin import FakeJellyfin
from tests.player.conftest import AiohttpClient, service_config
from tests.polling import until

TICKS = 10_000_000


def track(item_id: str, duration: float, source: SourceKind = SourceKind.JELLYFIN) -> Track:
    return make_track(item_id, duration=duration, source=source)


class MapResolver:
    """Item ids starting with "l" are local files, the rest streams."""

    async def resolve(self, t: Track) -> Resolved | None:
        local = t.id.startswith("l")
        return Resolved(f"/{t.id}", PlayingFrom.LOCAL if local else PlayingFrom.STREAM)


@dataclass
class Rig:
    controller: PlayerController
    events: list[PlayEvent]

    def kinds(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    engine = FakeEngine(speed=1.0, position_interval=0.05)
    controller = PlayerController(engine, MapResolver())
    events: list[PlayEvent] = []
    controller.add_play_listener(events.append)
    task = asyncio.create_task(controller.run())
    try:
        yield Rig(controller, events)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await engine.shutdown()


async def test_controller_tells_each_start_change_and_end(rig: Rig) -> None:
    a, b, cc = track("j1", 100.0), track("l2", 0.3, SourceKind.LOCAL), track("j3", 100.0)
    await rig.controller.submit(c.QueueAdd((a, b, cc), c.QueueMode.REPLACE, play=True))
    await until(lambda: len(rig.events) == 1)
    started = rig.events[0]
    assert isinstance(started, TrackStarted)
    assert (started.track, started.from_local, started.position) == (a, False, 0.0)
    for command in (c.Pause(), c.Seek(30.0), c.Play(), c.Next()):
        await rig.controller.submit(command)
    await until(lambda: len(rig.events) == 8)  # b is short: it ends, and c follows gaplessly
    await rig.controller.submit(c.Stop())
    assert rig.kinds() == [
        "TrackStarted", "Paused", "Seeked", "Resumed", "TrackEnded", "TrackStarted",
        "TrackEnded", "TrackStarted", "TrackEnded",
    ]  # fmt: skip
    _s, paused, seeked, resumed, skipped, start_b, finished, start_c, stopped = rig.events
    assert isinstance(paused, Paused) and paused.track == a and 0 <= paused.position < 30
    assert seeked == Seeked(a, 30.0) and resumed == Resumed(a, 30.0)
    assert isinstance(skipped, TrackEnded) and skipped.reason is TrackEndReason.SKIPPED
    assert skipped.track == a and skipped.position >= 30.0
    assert isinstance(start_b, TrackStarted) and start_b.from_local and start_b.track == b
    assert finished == TrackEnded(b, 0.3, TrackEndReason.FINISHED)
    assert isinstance(start_c, TrackStarted) and start_c.track == cc
    assert isinstance(stopped, TrackEnded) and stopped.reason is TrackEndReason.STOPPED


async def test_a_broken_listener_does_not_stop_playback(rig: Rig) -> None:
    def broken(_: PlayEvent) -> None:
        raise RuntimeError("listener bug")

    rig.controller.add_play_listener(broken)
    await rig.controller.submit(c.QueueAdd((track("j1", 100.0),), c.QueueMode.REPLACE, play=True))
    await until(lambda: len(rig.events) == 1)
    await rig.controller.submit(c.Pause())
    assert rig.kinds() == ["TrackStarted", "Paused"]


@pytest.fixture
def db(fresh_db: aiosqlite.Connection) -> aiosqlite.Connection:
    return fresh_db  # tests/conftest.py's, under this file's name


async def test_the_relay_logs_starts_with_wall_clock_and_network(
    db: aiosqlite.Connection,
) -> None:
    plays = PlayLog(db)
    reporter = PlayReporter(plays, None)
    at = datetime(2026, 8, 22, 9, 0, tzinfo=UTC)
    relay = PlayEventRelay(reporter, network_kind=lambda: NetworkKind.CELLULAR, now=lambda: at)
    task = asyncio.create_task(reporter.run())
    try:
        t = track("j1", 100.0)
        relay(TrackStarted(EntryId("e1"), t, True, 0.0))
        relay(TrackEnded(t, 12.0, TrackEndReason.FINISHED))
        for _ in range(500):
            if history := await plays.history():
                break
            await asyncio.sleep(0.01)
        assert [(h.item_id, h.at, h.network) for h in history] == [
            ("j1", at.timestamp(), NetworkKind.CELLULAR)
        ]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def jellyfin() -> AsyncIterator[FakeJellyfin]:
    fake = FakeJellyfin()
    fake.add_user("kitchen", "secret")
    fake.add_album("Kind of Blue", [4000, 5000])
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


async def test_the_service_reports_a_jellyfin_play(
    aiohttp_client: AiohttpClient, tmp_path: Path, jellyfin: FakeJellyfin
) -> None:
    config = service_config(
        tmp_path,
        library={"demo": False},
        jellyfin={"url": jellyfin.url, "username": "kitchen", "password": "secret"},
    )
    app = create_app(config, engine=FakeEngine(speed=1.0))
    client = await aiohttp_client(app)
    album_id = next(iter(jellyfin.albums))
    albums: list[Any] = []
    for _ in range(500):
        albums = (await (await client.get("/api/v1/library/albums")).json())["items"]
        if albums:
            break
        await asyncio.sleep(0.01)
    assert [a["id"] for a in albums] == [album_id]

    resp = await client.post(
        "/api/v1/queue", json={"album_id": album_id, "mode": "replace", "play": True}
    )
    assert resp.status == 200, await resp.text()
    reports = jellyfin.reports
    await until(lambda: len(reports) == 1)
    assert (await client.post("/api/v1/player/pause")).status == 200
    assert (await client.post("/api/v1/player/seek", json={"position": 42.0})).status == 200
    assert (await client.post("/api/v1/player/next")).status == 200
    await until(lambda: len(reports) == 5)

    paths = [p.rsplit("/", 1)[-1] for p, _ in reports]
    assert paths == ["Playing", "Progress", "Progress", "Stopped", "Playing"]
    first, pause, seek, stop, second = (body for _, body in reports)
    tracks = sorted(jellyfin.tracks.values(), key=lambda t: t.index or 0)
    assert first["ItemId"] == pause["ItemId"] == stop["ItemId"] == tracks[0].id
    assert second["ItemId"] == tracks[1].id
    assert len({first["PlaySessionId"], pause["PlaySessionId"], stop["PlaySessionId"]}) == 1
    assert second["PlaySessionId"] != first["PlaySessionId"]
    assert pause["IsPaused"] is True and seek["IsPaused"] is True
    assert seek["PositionTicks"] == 42 * TICKS == stop["PositionTicks"]
    assert first["PlayMethod"] == "DirectStream"
    assert all(f["Token"] in jellyfin.sessions for f in jellyfin.report_auth)
    plays = app[SERVICES].media.plays
    assert [h.item_id for h in await plays.history()] == [tracks[0].id, tracks[1].id]
    assert await plays.owed() == []
