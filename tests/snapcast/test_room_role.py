"""The room role against Debian's real snapserver and snapclient (issue 19): tapedeck runs its own
snapclient, the rooms mark it as this device, and the page hears whether it runs; a snapclient
that dies is started again and the page hears that too."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import psutil
from aiohttp import ClientWebSocketResponse
from aiohttp.test_utils import TestClient

from player.app import create_app
from player.engine.fake import FakeEngine
from tests.player.conftest import AiohttpClient, service_config
from tests.polling import until
from tests.snapcast.snapserver import SNAPCLIENT, STREAM, SnapServer, needs_snapcast

pytestmark = needs_snapcast
Client = TestClient[Any, Any]


async def room_deck(aiohttp_client: AiohttpClient, tmp_path: Path, server: SnapServer) -> Client:
    snapcast = {
        "role": "room", "server": "127.0.0.1", "control_port": server.control_port,
        "stream_port": server.stream_port, "stream": STREAM, "snapclient": SNAPCLIENT,
        "player": f"file:filename={tmp_path / 'bedroom.pcm'}",
    }  # fmt: skip
    config = service_config(
        tmp_path, library={"demo": False}, server={"name": "Bedroom"}, snapcast=snapcast
    )
    return await aiohttp_client(create_app(config, engine=FakeEngine()))


def our_snapclients() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if p.name() == "snapclient"]


async def rooms_event(ws: ClientWebSocketResponse, check: Any) -> dict[str, Any]:
    """The first `rooms` message (or the snapshot's rooms) that `check` accepts, within 30 s."""
    seen: list[Any] = []

    async def wanted() -> dict[str, Any]:
        while True:
            msg = await ws.receive_json()
            rooms = msg.get("rooms") if msg["type"] == "snapshot" else msg
            if msg["type"] in ("snapshot", "rooms") and rooms:
                if check(rooms):
                    return dict(rooms)
                seen.append(rooms)

    try:
        return await asyncio.wait_for(wanted(), 30)
    except TimeoutError:
        raise AssertionError(f"no rooms message as wanted; the last: {seen[-3:]}") from None


def this_room(rooms: dict[str, Any]) -> dict[str, Any] | None:
    return next((room for room in rooms["rooms"] if room["this_device"]), None)


async def test_the_room_runs_its_snapclient_and_shows_it(
    aiohttp_client: AiohttpClient, tmp_path: Path, snapserver: SnapServer
) -> None:
    client = await room_deck(aiohttp_client, tmp_path, snapserver)
    async with client.ws_connect("/api/v1/events") as ws:
        rooms = await rooms_event(
            ws, lambda r: r.get("snapclient", {}).get("running") and (this_room(r) or {}).get(
                "connected")
        )  # fmt: skip
        me = this_room(rooms)
        assert me is not None and me["id"] == "Bedroom" and me["in_group"]
        # snapclient has no name option: the room takes tapedeck's name in Snapcast
        named = await rooms_event(ws, lambda r: (this_room(r) or {}).get("name") == "Bedroom")
        assert (this_room(named) or {})["connected"]
        assert snapserver.clients()["Bedroom"]["config"]["name"] == "Bedroom"
        assert snapserver.clients()["Bedroom"]["connected"]  # snapserver's own word

        # The room's snapclient dies: the page hears it is down and why, then that it runs again.
        (process,) = await until(our_snapclients)
        process.kill()
        down = await rooms_event(ws, lambda r: not r["snapclient"]["running"])
        assert "snapclient stopped" in down["snapclient"]["problem"]
        await rooms_event(ws, lambda r: r["snapclient"]["running"])
    listed = await (await client.get("/api/v1/rooms")).json()
    assert [room["id"] for room in listed["rooms"] if room["this_device"]] == ["Bedroom"]
    again = await until(our_snapclients)
    assert again[0].pid != process.pid  # started again by tapedeck, not left dead
