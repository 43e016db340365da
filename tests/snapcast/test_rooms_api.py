"""Group control through /api/v1/rooms against a real snapserver and two real snapclients (issue 19,
acceptance 2): changes reach snapserver, and another controller's change comes back as a `rooms` event."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient

from player.app import create_app
from player.engine.fake import FakeEngine
from tests.player.conftest import AiohttpClient, service_config
from tests.polling import until
from tests.snapcast.snapserver import OTHER, STREAM, SnapClient, SnapServer, needs_snapcast

pytestmark = needs_snapcast
Client = TestClient[Any, Any]


async def deck(aiohttp_client: AiohttpClient, tmp_path: Path, server: SnapServer) -> Client:
    snapcast = {
        "role": "source", "server": "127.0.0.1", "control_port": server.control_port,
        "stream": STREAM, "fifo": str(server.fifo),
    }  # fmt: skip
    config = service_config(tmp_path, library={"demo": False}, snapcast=snapcast)
    client = await aiohttp_client(create_app(config, engine=FakeEngine()))
    for _ in range(500):  # the control connection comes up in the background
        if (await client.get("/api/v1/rooms")).status == 200:
            break
        await asyncio.sleep(0.01)
    return client


async def rooms_of(client: Client) -> dict[str, dict[str, Any]]:
    resp = await client.get("/api/v1/rooms")
    assert resp.status == 200
    return {room["id"]: room for room in (await resp.json())["rooms"]}


async def test_rooms_lists_both_clients(
    aiohttp_client: AiohttpClient, tmp_path: Path, snapserver: SnapServer, rooms: list[SnapClient]
) -> None:
    client = await deck(aiohttp_client, tmp_path, snapserver)
    listed = await rooms_of(client)
    assert set(listed) == {"kitchen", "garden"}
    kitchen = listed["kitchen"]
    assert set(kitchen) == {
        "id", "name", "connected", "volume", "muted", "latency", "in_group", "this_device",
    }  # fmt: skip
    assert not kitchen["this_device"]  # a source runs no snapclient of its own
    assert kitchen["connected"] and kitchen["in_group"]


async def test_volume_and_mute_reach_snapserver(
    aiohttp_client: AiohttpClient, tmp_path: Path, snapserver: SnapServer, rooms: list[SnapClient]
) -> None:
    client = await deck(aiohttp_client, tmp_path, snapserver)
    resp = await client.patch("/api/v1/rooms/kitchen", json={"volume": 35})
    assert resp.status == 200
    assert (await resp.json())["volume"] == 35
    assert snapserver.clients()["kitchen"]["config"]["volume"] == {"muted": False, "percent": 35}
    resp = await client.patch("/api/v1/rooms/garden", json={"muted": True, "latency": 40})
    garden = snapserver.clients()["garden"]["config"]
    assert resp.status == 200 and garden["volume"]["muted"] and garden["latency"] == 40
    assert snapserver.clients()["kitchen"]["config"]["volume"]["percent"] == 35  # untouched


async def test_a_room_leaves_the_group_and_comes_back(
    aiohttp_client: AiohttpClient, tmp_path: Path, snapserver: SnapServer, rooms: list[SnapClient]
) -> None:
    client = await deck(aiohttp_client, tmp_path, snapserver)
    resp = await client.patch("/api/v1/rooms/garden", json={"in_group": False})
    assert resp.status == 200 and not (await resp.json())["in_group"]
    known = snapserver.clients()
    assert known["garden"]["stream_id"] == OTHER and known["kitchen"]["stream_id"] == STREAM
    resp = await client.patch("/api/v1/rooms/garden", json={"in_group": True})
    assert resp.status == 200 and (await resp.json())["in_group"]
    assert snapserver.clients()["garden"]["stream_id"] == STREAM


async def test_another_controllers_change_is_a_rooms_event(
    aiohttp_client: AiohttpClient, tmp_path: Path, snapserver: SnapServer, rooms: list[SnapClient]
) -> None:
    client = await deck(aiohttp_client, tmp_path, snapserver)
    messages: list[dict[str, Any]] = []
    ws = await client.ws_connect("/api/v1/events")

    async def read() -> None:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                messages.append(json.loads(msg.data))

    reader = asyncio.create_task(read())
    snapshot = await until(lambda: messages and messages[0])
    assert snapshot["type"] == "snapshot" and snapshot["rooms"]["reachable"]  # no GET needed
    assert {room["id"] for room in snapshot["rooms"]["rooms"]} == {"kitchen", "garden"}
    volume = {"muted": False, "percent": 12}
    await asyncio.to_thread(snapserver.call, "Client.SetVolume", {"id": "garden", "volume": volume})

    def garden_at_12() -> bool:
        events = [m for m in messages if m["type"] == "rooms"]
        return any(r["id"] == "garden" and r["volume"] == 12 for e in events for r in e["rooms"])

    await until(garden_at_12)
    await ws.close()
    reader.cancel()


async def test_bad_input_and_unknown_rooms(
    aiohttp_client: AiohttpClient, tmp_path: Path, snapserver: SnapServer, rooms: list[SnapClient]
) -> None:
    client = await deck(aiohttp_client, tmp_path, snapserver)
    assert (await client.patch("/api/v1/rooms/nowhere", json={"volume": 3})).status == 404
    assert (await client.patch("/api/v1/rooms/kitchen", json={"volume": 300})).status == 422
    assert (await client.patch("/api/v1/rooms/kitchen", json={"colour": 1})).status == 422


async def test_unreachable_snapserver_is_503(
    aiohttp_client: AiohttpClient, tmp_path: Path, snapserver: SnapServer
) -> None:
    client = await deck(aiohttp_client, tmp_path, snapserver)
    snapserver.kill()
    for _ in range(500):
        resp = await client.get("/api/v1/rooms")
        if resp.status == 503:
            break
        await asyncio.sleep(0.01)
    assert resp.status == 503
    error = (await resp.json())["error"]
    assert error["code"] == "upstream_unavailable"
    assert f"127.0.0.1:{snapserver.control_port} is not reachable" in error["message"]
    snapserver.start()  # and it comes back by itself
    for _ in range(500):
        if (await client.get("/api/v1/rooms")).status == 200:
            break
        await asyncio.sleep(0.01)
    assert (await client.get("/api/v1/rooms")).status == 200


async def test_without_snapcast_rooms_is_404(aiohttp_client: AiohttpClient, tmp_path: Path) -> None:
    # role "off": the routes are not there (the page hides its Rooms screen), unlike a snapserver
    # that is configured but away (503, and the page says why)
    client = await aiohttp_client(create_app(service_config(tmp_path), engine=FakeEngine()))
    resp = await client.get("/api/v1/rooms")
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "not_found"
    assert (await client.patch("/api/v1/rooms/kitchen", json={"volume": 3})).status == 404
    async with client.ws_connect("/api/v1/events") as ws:
        assert "rooms" not in await ws.receive_json()  # the snapshot: no rooms to show
