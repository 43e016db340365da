"""The controlscript plug-in with the real snapserver (issue 19, acceptance 4): snapserver runs
`tapedeck snapcast-plugin` for tapedeck's stream; `Stream.Control` pause and next sent to snapserver
pause and skip tapedeck, and `Server.GetStatus` shows what plays in the stream's properties. Seeking
and the volume go through snapserver the same way."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.service import free_port
from tests.player.conftest import AiohttpClient
from tests.polling import until
from tests.snapcast.album import make_long_album
from tests.snapcast.snapserver import STREAM, SnapServer, needs_snapcast, plugin_wrapper
from tests.snapcast.test_source_sync import Client, play_tone_album, source_deck, wait_state

pytestmark = needs_snapcast


@pytest.fixture
def plugged(tmp_path: Path) -> Iterator[tuple[SnapServer, int]]:
    """snapserver with the plug-in on tapedeck's stream, and the port tapedeck will serve on: the
    plug-in starts with snapserver, before tapedeck, and finds it by reconnecting."""
    port = free_port()
    root = tmp_path / "snap"
    wrapper = plugin_wrapper(root, f"http://127.0.0.1:{port}", tmp_path / "state")
    server = SnapServer(root, controlscript=wrapper)
    server.start()
    yield server, port
    server.kill()  # the plug-in ends when its stdin closes


async def shown(server: SnapServer, **expected: Any) -> dict[str, Any] | None:
    """The stream's properties once they hold `expected` (metadata keys are looked up in metadata)."""
    props = await asyncio.to_thread(server.stream_properties)
    meta = props.get("metadata", {})
    for key, value in expected.items():
        if (meta.get(key) if key in ("title", "artist", "album") else props.get(key)) != value:
            return None
    return props


async def snapcast_control(server: SnapServer, command: str, **params: Any) -> Any:
    # Off the loop: snapserver's answer waits on the plug-in, which waits on this loop's service.
    request: dict[str, Any] = {"id": STREAM, "command": command}
    if params:
        request["params"] = params
    return await asyncio.to_thread(server.call, "Stream.Control", request)


async def playing(client: Client, title: str) -> bool:
    player = await (await client.get("/api/v1/player")).json()
    item = player.get("item")
    return bool(item) and item["title"] == title and player["state"] == "playing"


async def test_snapcast_pauses_skips_and_shows_tapedeck(
    aiohttp_client: AiohttpClient, tmp_path: Path, plugged: tuple[SnapServer, int]
) -> None:
    server, port = plugged
    titles = make_long_album(tmp_path / "music")
    client = await source_deck(aiohttp_client, tmp_path, server, port=port)
    await play_tone_album(client)
    await wait_state(client, "playing")

    what = "snapserver never showed the first track playing"
    props = await until(
        lambda: shown(server, title=titles[0], playbackStatus="playing"),
        tries=600,  # the plug-in started first and backs off up to 10 s
        step=0.1,
        what=what,
    )
    assert props["metadata"]["artist"] == ["Tone Artist"]
    assert props["metadata"]["album"] == "Long Album"
    assert props["canGoNext"] and props["canPause"] and props["canControl"]

    assert await snapcast_control(server, "pause") == "ok"
    await wait_state(client, "paused")
    what = "snapserver never showed the pause"
    await until(lambda: shown(server, playbackStatus="paused"), tries=300, step=0.1, what=what)

    assert await snapcast_control(server, "play") == "ok"
    await wait_state(client, "playing")
    assert await snapcast_control(server, "next") == "ok"
    what = "tapedeck never skipped to the second track"
    await until(lambda: playing(client, titles[1]), tries=1000, what=what)
    what = "snapserver never showed the second track"
    await until(lambda: shown(server, title=titles[1]), tries=300, step=0.1, what=what)

    assert await snapcast_control(server, "setPosition", position=60.0) == "ok"
    player = await (await client.get("/api/v1/player")).json()
    assert player["item"]["title"] == titles[1] and player["position"] >= 59.0
    volume = {"id": STREAM, "property": "volume", "value": 40}
    assert await asyncio.to_thread(server.call, "Stream.SetProperty", volume) == "ok"
    assert (await (await client.get("/api/v1/player")).json())["volume"] == 40
    what = "snapserver never showed the new volume"
    await until(lambda: shown(server, volume=40), tries=300, step=0.1, what=what)
