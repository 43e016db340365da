"""Alarms through the API (api.md's Timers) on the in-process service: the fake engine, the demo
library, a real player.db, and a wall clock the test moves (tests/clocks.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from cache.local.demo import ARTIST
from player.app import create_app
from player.buttons.actions import ButtonAction, GpioCommand
from player.config import parse_config
from player.engine.fake import FakeEngine
from player.playback.commands import Play
from player.system.device import handle_button
from player.timers.state import iso_utc
from player.web.keys import SERVICES
from tests.clocks import SteppedClock
from tests.player.conftest import AiohttpClient
from tests.polling import until

JSON = {"Content-Type": "application/json"}
START = datetime(2027, 1, 18, 6, 58).timestamp()  # local time: an alarm at 07:00 is 2 min away
Start = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
def start(aiohttp_client: AiohttpClient, tmp_path: Path) -> Start:
    async def started(clock: SteppedClock | None = None, **tables: Any) -> TestClient[Any, Any]:
        data: dict[str, Any] = {
            "paths": {"state_dir": str(tmp_path / "state"), "cache_dir": str(tmp_path / "cache")},
            "library": {"music_dir": str(tmp_path / "music")},
            "audio": {"output": "null"}, "zeroconf": {"enabled": False}, "mpd": {"enabled": False},
            **tables,
        }  # fmt: skip
        config = parse_config(data, {"HOME": str(tmp_path)})
        engine = FakeEngine(speed=1.0, default_duration=600.0)
        app = create_app(config, engine=engine, clock=clock or SteppedClock(START))
        client = await aiohttp_client(app)
        await asyncio.wait_for(app[SERVICES].media.scanned.wait(), 30)
        return client

    return started


async def an_album(client: TestClient[Any, Any]) -> str:
    albums = await (await client.get("/api/v1/library/albums")).json()
    return str(albums["items"][0]["id"])


async def test_add_list_change_and_delete_an_alarm(start: Start) -> None:
    client = await start()
    album_id = await an_album(client)
    body = {"time": "07:00", "days": ["mon", "fri"], "play": {"album_id": album_id},
            "volume": 35, "fade_seconds": 20}  # fmt: skip
    resp = await client.post("/api/v1/alarms", json=body, headers=JSON)
    assert resp.status == 201
    made = await resp.json()
    assert made["next_at"] == iso_utc(START + 120)
    assert {k: made[k] for k in body} == body and made["enabled"] and made["source"] == "api"
    listed = await (await client.get("/api/v1/alarms")).json()
    assert listed["alarms"] == [made] and listed["ringing"] is None
    alarm = f"/api/v1/alarms/{made['id']}"
    off = await (await client.patch(alarm, json={"enabled": False}, headers=JSON)).json()
    assert off["enabled"] is False and off["next_at"] is None and off["volume"] == 35
    assert (await client.delete(alarm)).status == 204
    assert (await client.delete(alarm)).status == 404
    assert (await client.patch(alarm, json={"volume": 3}, headers=JSON)).status == 404
    assert (await (await client.get("/api/v1/alarms")).json())["alarms"] == []


async def test_bad_alarms_are_422_and_snooze_without_a_ring_is_409(start: Start) -> None:
    client = await start()
    album_id = await an_album(client)
    for body in (
        {}, {"time": "07:00"}, {"time": "7am", "play": {"resume": True}},
        {"time": "07:00", "play": {"album_id": "no-such-album"}},
        {"time": "07:00", "play": {"resume": True}, "days": ["someday"]},
        {"time": "07:00", "play": {"resume": True}, "volume": 101},
        {"time": "07:00", "play": {"resume": True}, "snooze": 5},
        {"time": "07:00", "play": {"album_id": album_id, "resume": True}},
    ):  # fmt: skip
        resp = await client.post("/api/v1/alarms", json=body, headers=JSON)
        assert resp.status == 422, body
        assert (await resp.json())["error"]["code"] == "unprocessable"
    resp = await client.post("/api/v1/alarms/snooze")
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "conflict"


async def test_config_alarms_are_listed_not_edited(start: Start) -> None:
    client = await start(alarms=[{"time": "06:30", "resume": True, "days": ["sat"]}])
    listed = (await (await client.get("/api/v1/alarms")).json())["alarms"]
    assert [(a["id"], a["source"], a["days"]) for a in listed] == [("config-1", "config", ["sat"])]
    assert (await client.patch("/api/v1/alarms/config-1", json={"enabled": False},
                               headers=JSON)).status == 409  # fmt: skip
    assert (await client.delete("/api/v1/alarms/config-1")).status == 409


async def test_api_alarms_survive_a_restart(start: Start) -> None:
    client = await start()
    made = await (await client.post(
        "/api/v1/alarms", json={"time": "06:15", "play": {"resume": True}}, headers=JSON
    )).json()  # fmt: skip
    await client.close()
    again = await start()
    assert (await (await again.get("/api/v1/alarms")).json())["alarms"] == [made]


async def test_rings_fades_in_snoozes_and_rings_again(start: Start) -> None:
    clock = SteppedClock(START)
    client = await start(clock)
    svc = client.app[SERVICES]
    controller = svc.controller
    volumes: list[int] = []
    controller.add_listener(lambda _: volumes.append(controller.volume))
    body = {"time": "07:00", "play": {"album_id": await an_album(client)}, "volume": 30,
            "fade_seconds": 10}  # fmt: skip
    made = await (await client.post("/api/v1/alarms", json=body, headers=JSON)).json()
    async with client.ws_connect("/api/v1/events") as ws:
        await ws.receive_json()  # the snapshot
        await clock.advance(120)
        await clock.advance_until(lambda: controller.volume == 30, limit=60)
        assert controller.state == "playing"
        rose = volumes[volumes.index(0) :]
        assert rose == sorted(rose) and len(set(rose)) > 5  # a fade, not a jump
        event = await ws.receive_json()
        while event["type"] != "alarms" or event["ringing"] is None:
            event = await ws.receive_json()
        assert event["ringing"] == made["id"]
    assert (await client.post("/api/v1/alarms/snooze")).status == 204
    await until(lambda: controller.state == "paused")
    status = await (await client.get("/api/v1/alarms")).json()
    assert status["ringing"] == made["id"] and status["snoozed_until"] is not None
    await clock.advance(svc.config.timers.snooze_minutes * 60 - 5, step=5)
    assert controller.state == "paused"
    await clock.advance_until(lambda: controller.state == "playing" and controller.volume == 30)
    handle_button(svc, GpioCommand(ButtonAction.SNOOZE, source="button 5"))  # the button
    await until(lambda: controller.state == "paused")
    controller.submit_nowait(Play())
    await until(lambda: controller.state == "playing")
    # a person pressed play during the snooze: they are up, the alarm is done
    await until(lambda: svc.timers.alarms.status().ringing is None)


async def test_a_playlist_alarm_plays_it_and_a_missing_one_falls_back(start: Start) -> None:
    clock = SteppedClock(START)
    client = await start(clock)
    svc = client.app[SERVICES]
    media, controller = svc.media, svc.controller
    (media.settings.music_dir / "Wake.m3u8").write_text(
        f"{ARTIST}/Evening Tapes/01 - Lanterns.wav\n{ARTIST}/Morning Tapes/02 - Kettle Song.wav\n",
        encoding="utf-8",
    )
    await media.scanner.scan()
    playlist = (await (await client.get("/api/v1/library/playlists")).json())["items"][0]
    for when, play in (("07:00", {"playlist_id": playlist["id"]}),
                       ("07:10", {"playlist_id": "gone"})):  # fmt: skip
        body = {"time": when, "play": play, "fade_seconds": 0}
        assert (await client.post("/api/v1/alarms", json=body, headers=JSON)).status == 201
    async with client.ws_connect("/api/v1/events") as ws:
        await ws.receive_json()
        await clock.advance(120)
        await until(lambda: controller.state == "playing")
        assert [e.item.title for e in controller.queue.entries] == ["Lanterns", "Kettle Song"]
        await clock.advance(600)
        event = await ws.receive_json()
        while event["type"] != "error":
            event = await ws.receive_json()
    assert event["error"]["code"] == "alarm_fallback"  # the page hears why
    await until(lambda: controller.state == "playing")
    assert len(controller.queue.entries) == 3  # a whole album of the device instead
