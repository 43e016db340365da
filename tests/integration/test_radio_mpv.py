"""Issue 21, acceptance 3, on the in-process service with real mpv (null output): a station on a
local server streaming MP3 with ICY metadata plays and its StreamTitle reaches GET /player and the
player events; stations named by a .pls and by an .m3u play; a dead station gives an error event
and the queue moves on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from player.app import create_app
from player.web.keys import SERVICES
from tests.integration.service import free_port
from tests.mpd.conftest import Line
from tests.player.conftest import AiohttpClient, service_config
from tests.radio_origin import RadioOrigin, dead_stream_url, mp3_bytes

pytestmark = [pytest.mark.slow, pytest.mark.mpv]

JSON = {"Content-Type": "application/json"}
Client = TestClient[Any, Any]


@pytest.fixture
async def origin(tmp_path: Path) -> AsyncIterator[RadioOrigin]:
    station = RadioOrigin(mp3_bytes(tmp_path))
    await station.start()
    yield station
    await station.stop()


@pytest.fixture
async def client(aiohttp_client: AiohttpClient, tmp_path: Path) -> Client:
    app = create_app(service_config(tmp_path, player={"resume": "off"}))  # real mpv
    test_client = await aiohttp_client(app)
    await asyncio.wait_for(app[SERVICES].media.scanned.wait(), 60)
    return test_client


async def add_station(client: Client, name: str, url: str) -> dict[str, Any]:
    resp = await client.post("/api/v1/radio", json={"name": name, "url": url}, headers=JSON)
    assert resp.status == 201, await resp.text()
    return dict(await resp.json())


async def player_until(client: Client, check: Any, tries: int = 600) -> dict[str, Any]:
    for _ in range(tries):
        player = await (await client.get("/api/v1/player")).json()
        if check(player):
            return dict(player)
        await asyncio.sleep(0.05)
    raise AssertionError(f"the player never got there: {player}")


async def test_a_station_plays_with_its_icy_title(client: Client, origin: RadioOrigin) -> None:
    station = await add_station(client, "Test FM", f"{origin.base}/stream")
    assert station["source"] == "api"
    listed = await (await client.get("/api/v1/radio")).json()
    assert listed["stations"] == [station]
    async with client.ws_connect("/api/v1/events") as ws:
        await ws.receive_json()
        resp = await client.post("/api/v1/queue", json={"station_id": station["id"], "play": True},
                                 headers=JSON)  # fmt: skip
        assert resp.status == 200, await resp.text()
        queue = await resp.json()
        assert queue["entries"][0]["item"]["source"] == "radio"
        player = await player_until(
            client, lambda p: p["item"] and p["item"]["title"] == origin.title
        )
        assert player["state"] == "playing" and player["playing_from"] == "stream"
        assert not player["duration"]  # live: no length, nothing to seek in
        assert player["item"]["station"] == station and player["item"]["id"].startswith("station:")
        assert origin.icy_requests >= 1  # mpv asked for the metadata
        event = await ws.receive_json()
        while (
            event["type"] != "player"
            or (event["player"]["item"] or {}).get("title") != origin.title
        ):
            event = await ws.receive_json()
    await player_until(client, lambda p: p["position"] > 1.0)  # the stream really plays
    downloads = await (await client.get("/api/v1/downloads")).json()
    assert downloads["total"] == 0  # never cached


@pytest.mark.parametrize("playlist", ["station.pls", "station.m3u"])
async def test_stations_named_by_a_playlist_play(
    client: Client, origin: RadioOrigin, playlist: str
) -> None:
    station = await add_station(client, "Listed FM", f"{origin.base}/{playlist}")
    body = {"station_id": station["id"], "mode": "replace", "play": True}
    assert (await client.post("/api/v1/queue", json=body, headers=JSON)).status == 200
    player = await player_until(client, lambda p: p["item"] and p["item"]["title"] == origin.title)
    assert player["item"]["station"]["url"].endswith(playlist)


async def test_a_dead_station_is_an_error_and_the_queue_moves_on(client: Client) -> None:
    dead = await add_station(client, "Gone FM", dead_stream_url())
    albums = await (await client.get("/api/v1/library/albums")).json()
    await client.post("/api/v1/queue", json={"station_id": dead["id"]}, headers=JSON)
    body = {"album_id": albums["items"][0]["id"], "mode": "append"}
    assert (await client.post("/api/v1/queue", json=body, headers=JSON)).status == 200
    async with client.ws_connect("/api/v1/events") as ws:
        await ws.receive_json()
        assert (await client.post("/api/v1/player/play")).status == 200
        event = await ws.receive_json()
        while event["type"] != "error":
            event = await ws.receive_json()
        assert event["item_id"] == f"station:{dead['id']}" and event["skipped"]
        assert "Gone FM" in event["error"]["message"]
    player = await player_until(client, lambda p: p["queue_index"] == 1 and p["state"] == "playing")
    assert player["item"]["source"] == "local"


async def test_a_station_plays_on_after_a_restart(
    aiohttp_client: AiohttpClient, tmp_path: Path, origin: RadioOrigin
) -> None:
    async def started() -> Client:
        app = create_app(service_config(tmp_path, player={"checkpoint_interval": 0.2}))
        test_client = await aiohttp_client(app)
        await asyncio.wait_for(app[SERVICES].media.scanned.wait(), 60)
        return test_client

    client = await started()
    station = await add_station(client, "Test FM", f"{origin.base}/station.m3u")
    await client.post(
        "/api/v1/queue", json={"station_id": station["id"], "play": True}, headers=JSON
    )
    await player_until(client, lambda p: p["item"] and p["item"]["title"] == origin.title)
    await client.close()  # the service stops (its last checkpoint: the station, playing)
    client = await started()
    player = await player_until(client, lambda p: p["state"] == "playing" and p["item"]
                                and p["item"]["title"] == origin.title)  # fmt: skip
    assert player["item"]["station"]["id"] == station["id"]


async def test_mpd_clients_see_the_icy_title_and_the_station_name(
    aiohttp_client: AiohttpClient, tmp_path: Path, origin: RadioOrigin
) -> None:
    mpd = {"enabled": True, "host": "127.0.0.1", "port": free_port()}
    app = create_app(service_config(tmp_path, player={"resume": "off"}, mpd=mpd))
    client = await aiohttp_client(app)
    server = app[SERVICES].mpd
    assert server is not None
    line = await Line.open(server.port)
    try:
        station = await add_station(client, "Test FM", f"{origin.base}/stream")
        body = {"station_id": station["id"], "play": True}
        assert (await client.post("/api/v1/queue", json=body, headers=JSON)).status == 200
        await player_until(client, lambda p: p["item"] and p["item"]["title"] == origin.title)
        song = dict(field.split(": ", 1) for field in (await line.command("currentsong"))[:-1])
        assert song["Title"] == origin.title and song["Name"] == "Test FM"
        assert song["file"] == f"tapedeck/radio/station:{station['id']}"
    finally:
        await line.close()
