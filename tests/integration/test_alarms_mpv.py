"""Issue 21, acceptance 2, on the in-process service with real mpv (null output) and a wall clock
the test moves: an alarm rings at its time with its own volume and fade; with its source down
(a Jellyfin server that went away) it plays a local album instead and says so; after a power
cut 5 minutes past its time it rings once when the device is back, and never twice."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from player.app import create_app
from player.config import parse_config
from player.playback.commands import PlayState
from player.web.keys import SERVICES
from tests.clocks import SteppedClock
from tests.fakes.jellyfin import FakeJellyfin
from tests.integration.jellyfin_thread import FakeJellyfinThread, serving
from tests.player.conftest import AiohttpClient
from tests.polling import until
from tests.radio_origin import RadioOrigin, dead_stream_url, mp3_bytes

pytestmark = [pytest.mark.slow, pytest.mark.mpv]

JSON = {"Content-Type": "application/json"}
RING = datetime(2027, 1, 18, 7, 0).timestamp()  # 07:00 local time on a Monday
USER, PASSWORD = "kitchen", "secret"
Start = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
def start(aiohttp_client: AiohttpClient, tmp_path: Path) -> Start:
    async def started(clock: SteppedClock, **tables: Any) -> TestClient[Any, Any]:
        data: dict[str, Any] = {
            "paths": {"state_dir": str(tmp_path / "state"), "cache_dir": str(tmp_path / "cache")},
            "library": {"music_dir": str(tmp_path / "music")},
            "audio": {"output": "null"}, "zeroconf": {"enabled": False}, "mpd": {"enabled": False},
            "player": {"resume": "off"}, "cache": {"wifi_only": False},
            **tables,
        }  # fmt: skip
        app = create_app(parse_config(data, {"HOME": str(tmp_path)}), clock=clock)  # real mpv
        client = await aiohttp_client(app)
        await asyncio.wait_for(app[SERVICES].media.scanned.wait(), 60)
        return client

    return started


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    fake.add_album("Far Away", [400_000, 400_000], artists=("The Remote",))
    with serving(fake) as server:
        yield server


async def album_titled(client: TestClient[Any, Any], title: str) -> str:
    for _ in range(600):
        page = await (await client.get(f"/api/v1/library/albums?q={title}")).json()
        if page["items"]:
            return str(page["items"][0]["id"])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no album {title!r}")


async def local_album(client: TestClient[Any, Any]) -> dict[str, Any]:
    page = await (await client.get("/api/v1/library/albums")).json()
    return next(a for a in page["items"] if a["available_offline"] == "full")


async def add_alarm(client: TestClient[Any, Any], album_id: str, **more: Any) -> dict[str, Any]:
    body = {"time": "07:00", "play": {"album_id": album_id}, "volume": 45, "fade_seconds": 12,
            **more}  # fmt: skip
    resp = await client.post("/api/v1/alarms", json=body, headers=JSON)
    assert resp.status == 201, await resp.text()
    return dict(await resp.json())


async def sounding(client: TestClient[Any, Any]) -> None:
    """mpv really plays: its position moves on (in real time)."""
    controller = client.app[SERVICES].controller
    await until(lambda: controller.state is PlayState.PLAYING and controller.position > 0.3,
                tries=3000)  # fmt: skip


async def test_rings_on_time_with_its_volume_and_fade(start: Start) -> None:
    clock = SteppedClock(RING - 300)
    client = await start(clock)
    controller = client.app[SERVICES].controller
    album = await local_album(client)
    await add_alarm(client, album["id"])
    volumes: list[tuple[float, int]] = []
    controller.add_listener(lambda _: volumes.append((clock.now(), controller.volume)))
    await clock.advance(299, step=10)
    assert controller.state is PlayState.STOPPED  # not a second early
    await clock.advance(1)
    await clock.advance_until(lambda: controller.volume == 45, limit=120)
    await sounding(client)
    assert controller.queue.current is not None
    assert controller.queue.current.item.album_id == album["id"]
    fade = [v for t, v in volumes if t >= RING]
    assert fade[0] == 0 and fade == sorted(fade) and len(set(fade)) >= 10
    assert min(t for t, v in volumes if v == 45) >= RING + 12  # the whole fade, then its volume


async def test_source_down_plays_a_local_album_instead(
    start: Start, jellyfin: FakeJellyfinThread
) -> None:
    clock = SteppedClock(RING - 60)
    client = await start(
        clock, jellyfin={"url": jellyfin.fake.url, "username": USER, "password": PASSWORD},
        downloads={"retry_delays": [0.2]},
    )  # fmt: skip
    remote = await album_titled(client, "Far Away")
    await add_alarm(client, remote, fade_seconds=0)
    jellyfin.stop()  # the server is gone: its port refuses connections
    controller = client.app[SERVICES].controller
    async with client.ws_connect("/api/v1/events") as ws:
        await ws.receive_json()
        await clock.advance(60)
        await sounding(client)
        current = controller.queue.current
        assert current is not None and current.item.source == "local"
        assert controller.volume == 45
        event = await ws.receive_json()
        while event["type"] != "error" or event["error"]["code"] != "alarm_fallback":
            event = await ws.receive_json()
        assert "instead" in event["error"]["message"]


async def test_after_a_power_cut_it_rings_once_and_never_twice(start: Start) -> None:
    before = SteppedClock(RING - 600)
    client = await start(before)
    album = await local_album(client)
    made = await add_alarm(client, album["id"], fade_seconds=0)
    await client.close()  # the power goes at 06:50, before the alarm

    back = SteppedClock(RING + 300)  # back at 07:05
    client = await start(back)
    await sounding(client)
    alarms = await (await client.get("/api/v1/alarms")).json()
    assert alarms["ringing"] == made["id"]
    await client.close()  # and goes again while it rings

    again = SteppedClock(RING + 360)  # back at 07:06: it rang for 07:00 already
    client = await start(again)
    await until(lambda: again.sleeps > 0, tries=3000)  # the alarm loop had its look
    await asyncio.sleep(0.5)
    controller = client.app[SERVICES].controller
    assert controller.state is PlayState.STOPPED
    assert (await (await client.get("/api/v1/alarms")).json())["ringing"] is None


async def test_a_station_alarm_plays_it_and_a_dead_one_falls_back(
    start: Start, tmp_path: Path
) -> None:
    origin = RadioOrigin(mp3_bytes(tmp_path))
    await origin.start()
    try:
        clock = SteppedClock(RING - 60)
        client = await start(clock)
        controller = client.app[SERVICES].controller
        live = {"name": "Test FM", "url": f"{origin.base}/station.pls"}
        dead = {"name": "Gone FM", "url": dead_stream_url()}
        ids = []
        for body in (live, dead):
            resp = await client.post("/api/v1/radio", json=body, headers=JSON)
            ids.append((await resp.json())["id"])
        for when, station_id in (("07:00", ids[0]), ("07:10", ids[1])):
            body = {"time": when, "play": {"station_id": station_id}, "fade_seconds": 0}
            assert (await client.post("/api/v1/alarms", json=body, headers=JSON)).status == 201
        await clock.advance(60)
        await until(lambda: controller.player_json()["item"] is not None
                    and controller.player_json()["item"]["title"] == origin.title, tries=3000)  # fmt: skip
        await clock.advance(600)
        await until(lambda: controller.queue.current is not None
                    and controller.queue.current.item.source == "local", tries=3000)  # fmt: skip
        await sounding(client)
    finally:
        await origin.stop()
