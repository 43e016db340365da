"""snapserver killed and restarted mid-track (issue 19, acceptance 3): tapedeck keeps its queue, says
why on the page and in the API, and audio flows into the stream again soon after snapserver is back."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient

from player.app import create_app
from tests.player.conftest import AiohttpClient, service_config
from tests.polling import until
from tests.snapcast.snapserver import STREAM, SnapClient, SnapServer, needs_snapcast
from tests.snapcast.test_source_sync import play_tone_album, wait_state

pytestmark = needs_snapcast
Client = TestClient[Any, Any]


def long_tone(music: Path, seconds: int = 60) -> None:
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg is not None, "ffmpeg makes the test track"
    folder = music / "Tone Artist" / "Long Tone"
    folder.mkdir(parents=True)
    tone = f"sine=frequency=441.7:duration={seconds}:sample_rate=48000"
    tags = ["-metadata", "title=Long", "-metadata", "artist=Tone Artist",
            "-metadata", "album=Long Tone", "-metadata", "track=1"]  # fmt: skip
    args = [ffmpeg, "-v", "error", "-f", "lavfi", "-i", tone, "-ac", "2", *tags]
    subprocess.run([*args, str(folder / "01.flac")], check=True, timeout=60)


def stream_status(server: SnapServer) -> str | None:
    try:
        status = server.call("Server.GetStatus")["server"]
    except OSError:
        return None
    return next((s["status"] for s in status["streams"] if s["id"] == STREAM), None)


async def test_snapserver_restarted_mid_track(
    aiohttp_client: AiohttpClient, tmp_path: Path, snapserver: SnapServer, rooms: list[SnapClient]
) -> None:
    long_tone(tmp_path / "music")
    snapcast = {"role": "source", "control_port": snapserver.control_port, "stream": STREAM,
                "fifo": str(snapserver.fifo)}  # fmt: skip
    config = service_config(tmp_path, library={"demo": False}, snapcast=snapcast)
    client: Client = await aiohttp_client(create_app(config))  # the real libmpv engine
    messages: list[dict[str, Any]] = []
    ws = await client.ws_connect("/api/v1/events")

    async def read() -> None:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                messages.append(json.loads(msg.data))

    reader = asyncio.create_task(read())
    try:
        await play_tone_album(client)
        await wait_state(client, "playing")
        await until(lambda: stream_status(snapserver) == "playing", tries=1000, step=0.02)
        queue_before = (await (await client.get("/api/v1/queue")).json())["entries"]

        snapserver.kill()
        await wait_state(client, "paused")  # nobody reads the stream: playback waits
        waiting = await until(lambda: _feed(messages, "waiting"), tries=2000)
        assert waiting["reason"]
        down = await client.get("/api/v1/rooms")
        assert down.status == 503
        assert (await down.json())["error"]["code"] == "upstream_unavailable"
        assert (await (await client.get("/api/v1/queue")).json())["entries"] == queue_before

        messages.clear()
        snapserver.start()
        back = time.monotonic()
        await until(lambda: _feed(messages, "flowing"), tries=2000)
        await wait_state(client, "playing")
        await until(lambda: stream_status(snapserver) == "playing", tries=1000, step=0.02)
        print(f"\naudio flows again {time.monotonic() - back:.2f} s after snapserver is back")
        await until(lambda: _rooms_reachable(messages), tries=2000)
        assert (await client.get("/api/v1/rooms")).status == 200
        assert (await (await client.get("/api/v1/queue")).json())["entries"] == queue_before
    finally:
        await ws.close()
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)


def _feed(messages: list[dict[str, Any]], state: str) -> dict[str, Any] | None:
    return next((m for m in messages if m["type"] == "snapcast" and m["feed"] == state), None)


def _rooms_reachable(messages: list[dict[str, Any]]) -> bool:
    return any(m["type"] == "rooms" and m.get("reachable") for m in messages)
