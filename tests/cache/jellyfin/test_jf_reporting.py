"""PlayReporter against the fake Jellyfin: live reports, and offline plays replayed once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import aiosqlite
import pytest

from cache.jellyfin import JellyfinClient, JellyfinConfig, JellyfinState
from cache.jellyfin.playstate import PlaybackOrder, PlayerExtras, QueueItem, RepeatMode
from cache.jellyfin.reporting import PlayReporter
from cache.models import AlbumId, ItemId, SourceKind, Track
from cache.planner.snapshot import NetworkKind
from cache.plays import OwedPlay, PlayLog
from tests.fakes.jellyfin import FakeJellyfin, FakeTrack
from tests.polling import until

TICKS = 10_000_000
T0 = datetime(2026, 8, 22, 14, 30, 5, 250000, tzinfo=UTC)
PLAYING, PROGRESS, STOPPED = (
    "/Sessions/Playing",
    "/Sessions/Playing/Progress",
    "/Sessions/Playing/Stopped",
)


def as_track(fake: FakeTrack, source: SourceKind = SourceKind.JELLYFIN) -> Track:
    return Track(
        ItemId(fake.id), fake.name, "Album", AlbumId(fake.album_id), fake.artists,
        fake.runtime_seconds, fake.index, fake.disc, fake.container, fake.size, source,
    )  # fmt: skip


async def wait_owed(rig: Rig, count: int) -> list[OwedPlay]:
    """Poll (bounded) until the log holds `count` owed plays; returns them."""
    for _ in range(500):
        if len(owed := await rig.plays.owed()) == count:
            return owed
        await asyncio.sleep(0.01)
    raise AssertionError(f"never {count} owed plays")


@dataclass
class Rig:
    fake: FakeJellyfin
    port: int
    plays: PlayLog
    reporter: PlayReporter
    tracks: list[Track]
    extras: list[PlayerExtras]  # what the player shows now: the last one is reported

    def reports(self, path: str | None = None) -> list[dict[str, Any]]:
        return [body for p, body in self.fake.reports if path is None or p == path]


@pytest.fixture
def db(fresh_db: aiosqlite.Connection) -> aiosqlite.Connection:
    return fresh_db  # tests/conftest.py's, under this file's name


@pytest.fixture
async def rig(tmp_path: Path, db: aiosqlite.Connection) -> AsyncIterator[Rig]:
    fake = FakeJellyfin()
    fake.add_user("alice", "secret")
    _album, fakes = fake.add_album("Blue", [1000, 2000, 3000])
    url = await fake.start()
    session = aiohttp.ClientSession()
    config = JellyfinConfig(url, username="alice", password="secret", device_name="Kitchen Pi")
    client = JellyfinClient(config, JellyfinState(tmp_path / "jf"), session)
    plays = PlayLog(db)
    extras = [PlayerExtras()]
    reporter = PlayReporter(
        plays, client, progress_interval=0.05, replay_interval=3600.0, extras=lambda: extras[-1]
    )
    task = asyncio.create_task(reporter.run())
    port = int(url.rsplit(":", 1)[1])
    try:
        yield Rig(fake, port, plays, reporter, [as_track(f) for f in fakes], extras)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await session.close()
        await fake.close()


async def test_live_reports_carry_the_fields_and_one_play_session(rig: Rig) -> None:
    track = rig.tracks[0]
    rig.reporter.track_started(track, at=T0, network=NetworkKind.WIFI, from_local=False)
    await until(lambda: len(rig.reports(PLAYING)) == 1)
    await until(lambda: len(rig.reports(PROGRESS)) >= 1)  # periodic while playing
    rig.reporter.paused(12.5)
    await until(lambda: any(r["IsPaused"] for r in rig.reports(PROGRESS)))
    count = len(rig.reports(PROGRESS))
    await asyncio.sleep(0.3)  # six progress intervals: nothing is sent while paused
    assert len(rig.reports(PROGRESS)) == count
    rig.reporter.seeked(60.0)
    rig.reporter.resumed(60.0)
    rig.reporter.track_ended(75.0)
    await until(lambda: len(rig.reports(STOPPED)) == 1)

    start = rig.reports(PLAYING)[0]
    assert start["ItemId"] == start["MediaSourceId"] == track.id
    assert start["PositionTicks"] == 0 and start["IsPaused"] is False
    assert start["CanSeek"] is True and start["PlayMethod"] == "DirectStream"
    session_id = start["PlaySessionId"]
    assert session_id and all(r["PlaySessionId"] == session_id for r in rig.reports())
    assert all(r["ItemId"] == track.id for r in rig.reports())
    progress = rig.reports(PROGRESS)
    paused, seek, resume = progress[count - 1 : count + 2]
    assert (paused["IsPaused"], paused["PositionTicks"]) == (True, 125_000_000)
    assert (seek["IsPaused"], seek["PositionTicks"]) == (True, 600_000_000)
    assert (resume["IsPaused"], resume["PositionTicks"]) == (False, 600_000_000)
    stop = rig.reports(STOPPED)[0]
    assert stop["PositionTicks"] == 75 * TICKS and stop["Failed"] is False
    for fields in rig.fake.report_auth:
        assert fields["Token"] in rig.fake.sessions
        assert fields["Client"] == "tapedeck" and fields["Device"] == "Kitchen Pi"
        assert fields["DeviceId"] and fields["Version"]
    assert await rig.plays.owed() == []  # reported live: nothing to replay
    assert rig.fake.played == []


async def test_a_play_from_a_local_copy_is_direct_play(rig: Rig) -> None:
    rig.reporter.track_started(rig.tracks[1], at=T0, from_local=True, position=3.0, paused=True)
    await until(lambda: len(rig.reports(PLAYING)) == 1)
    start = rig.reports(PLAYING)[0]
    assert start["PlayMethod"] == "DirectPlay"
    assert (start["PositionTicks"], start["IsPaused"]) == (3 * TICKS, True)


async def test_offline_plays_are_replayed_once_with_their_dates(rig: Rig) -> None:
    await rig.fake.close()  # the server is gone: connections are refused
    first, second = T0, T0 + timedelta(minutes=4, seconds=1)
    rig.reporter.track_started(rig.tracks[0], at=first, network=NetworkKind.CELLULAR)
    rig.reporter.seeked(30.0)
    rig.reporter.track_ended(180.0)
    rig.reporter.track_started(rig.tracks[1], at=second, network=NetworkKind.CELLULAR)
    rig.reporter.track_ended(200.0, failed=True)
    owed = await wait_owed(rig, 2)
    assert [p.started_at for p in owed] == [first, second]

    await rig.fake.start(rig.port)
    rig.reporter.server_reachable()  # the watcher's hook, racing two direct calls
    await asyncio.gather(rig.reporter.replay_owed(), rig.reporter.replay_owed())
    await until(lambda: len(rig.fake.played) == 2)
    await rig.reporter.replay_owed()
    assert rig.fake.played == [
        (rig.tracks[0].id, "2026-08-22T14:30:05.250Z"),
        (rig.tracks[1].id, "2026-08-22T14:34:06.250Z"),
    ]
    assert rig.reports() == []  # no Progress or Stopped for sessions the server never saw
    assert await rig.plays.owed() == []
    assert all(f["Token"] in rig.fake.sessions for f in rig.fake.report_auth)


async def test_a_live_start_after_the_outage_replays_what_is_owed(rig: Rig) -> None:
    await rig.fake.close()
    rig.reporter.track_started(rig.tracks[0], at=T0)
    rig.reporter.track_ended(180.0)
    await wait_owed(rig, 1)
    await rig.fake.start(rig.port)
    rig.reporter.track_started(rig.tracks[1], at=T0 + timedelta(minutes=3))
    await until(lambda: len(rig.fake.played) == 1)
    assert rig.fake.played == [(rig.tracks[0].id, "2026-08-22T14:30:05.250Z")]
    assert [r["ItemId"] for r in rig.reports(PLAYING)] == [rig.tracks[1].id]


async def test_an_offline_network_skips_the_live_attempt(rig: Rig) -> None:
    rig.reporter.track_started(rig.tracks[0], at=T0, network=NetworkKind.OFFLINE)
    rig.reporter.track_ended(10.0)
    await wait_owed(rig, 1)
    assert rig.reports() == [] and rig.fake.requests == []
    assert await rig.reporter.replay_owed() == 1
    assert rig.fake.played == [(rig.tracks[0].id, "2026-08-22T14:30:05.250Z")]


async def test_local_tracks_are_logged_but_never_reported(rig: Rig) -> None:
    local = as_track(rig.fake.tracks[rig.tracks[2].id], SourceKind.LOCAL)
    rig.reporter.track_started(local, at=T0, from_local=True)
    rig.reporter.track_ended(5.0)
    await asyncio.sleep(0.1)
    assert [h.item_id for h in await rig.plays.history()] == [local.id]
    assert await rig.plays.owed() == []
    assert await rig.reporter.replay_owed() == 0
    assert rig.reports() == [] and rig.fake.played == []


async def test_a_play_the_server_no_longer_knows_is_dropped(rig: Rig) -> None:
    await rig.fake.close()
    rig.reporter.track_started(rig.tracks[0], at=T0)
    rig.reporter.track_ended(1.0)
    await wait_owed(rig, 1)
    del rig.fake.tracks[rig.tracks[0].id]  # deleted on the server meanwhile: 404
    await rig.fake.start(rig.port)
    assert await rig.reporter.replay_owed() == 1
    assert await rig.plays.owed() == [] and rig.fake.played == []
    assert await rig.reporter.replay_owed() == 0


async def test_reports_carry_the_players_queue_volume_and_modes(rig: Rig) -> None:
    a, b = rig.tracks[0], rig.tracks[1]
    queue = (QueueItem(a.id, "e1"), QueueItem(b.id, "e2"))
    rig.extras.append(PlayerExtras(queue, "e1", 70, False))
    rig.reporter.track_started(a, at=T0, playlist_item_id="e1")
    await until(lambda: len(rig.reports(PLAYING)) == 1)
    start = rig.reports(PLAYING)[0]
    assert start["NowPlayingQueue"] == [
        {"Id": a.id, "PlaylistItemId": "e1"},
        {"Id": b.id, "PlaylistItemId": "e2"},
    ]
    assert (start["PlaylistItemId"], start["VolumeLevel"], start["IsMuted"]) == ("e1", 70, False)
    assert (start["RepeatMode"], start["PlaybackOrder"]) == ("RepeatNone", "Default")

    # A remote command changed the volume and modes: reported at once, not at the next interval.
    rig.extras.append(PlayerExtras(queue, "e1", 35, True, RepeatMode.ONE, PlaybackOrder.SHUFFLE))
    seen = len(rig.reports(PROGRESS))
    rig.reporter.report_now()
    await until(lambda: any(r.get("VolumeLevel") == 35 for r in rig.reports(PROGRESS)[seen:]))
    now = next(r for r in rig.reports(PROGRESS)[seen:] if r.get("VolumeLevel") == 35)
    assert (now["IsMuted"], now["RepeatMode"], now["PlaybackOrder"]) == (
        True,
        "RepeatOne",
        "Shuffle",
    )
    rig.extras.append(PlayerExtras(queue, "e2", 35, True))  # "next": the queue moved on first
    rig.reporter.track_ended(10.0)
    await until(lambda: len(rig.reports(STOPPED)) == 1)
    stop = rig.reports(STOPPED)[0]  # ... yet the stop is about the entry that was left
    assert stop["PlaylistItemId"] == "e1" and len(stop["NowPlayingQueue"]) == 2
    assert "VolumeLevel" not in stop  # PlaybackStopInfo has no such field


def test_now_playing_queue_stays_under_the_servers_limit() -> None:
    many = tuple(QueueItem(ItemId(f"{n:032x}"), f"e{n}") for n in range(5000))
    assert len(PlayerExtras(many).queue_body()["NowPlayingQueue"]) == 950
