"""The source role with a real snapserver and two real snapclients (issue 19, acceptance 1): the whole
album reaches each room with sample-exact joins, and the rooms play it in sync."""

from __future__ import annotations

import array
import asyncio
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from player.app import create_app
from tests.player.conftest import AiohttpClient, service_config
from tests.snapcast.album import RATE, make_tone_album, onset_and_join, read_raw
from tests.snapcast.snapserver import STREAM, SnapClient, SnapServer, needs_snapcast
from tests.tones import find_frames

pytestmark = needs_snapcast
Client = TestClient[Any, Any]


async def source_deck(
    aiohttp_client: AiohttpClient, tmp_path: Path, server: SnapServer, port: int | None = None
) -> Client:
    snapcast = {"role": "source", "control_port": server.control_port, "stream": STREAM,
                "fifo": str(server.fifo)}  # fmt: skip
    config = service_config(
        tmp_path, library={"demo": False}, audio={"volume": 100}, snapcast=snapcast
    )
    app = create_app(config)  # the real libmpv engine
    return await aiohttp_client(app, server_kwargs={"port": port} if port else None)


async def play_tone_album(client: Client) -> None:
    for _ in range(1000):
        albums = (await (await client.get("/api/v1/library/albums")).json())["items"]
        if albums:
            break
        await asyncio.sleep(0.02)
    body = {"album_id": albums[0]["id"], "mode": "replace", "play": True}
    assert (await client.post("/api/v1/queue", json=body)).status == 200


async def wait_state(client: Client, state: str, tries: int = 3000) -> None:
    player: dict[str, Any] = {}
    for _ in range(tries):
        player = await (await client.get("/api/v1/player")).json()
        if player["state"] == state:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the player never became {state}: {player}")


async def played_out(room: SnapClient, whole: array.array[int]) -> None:
    """Until the room's output runs past the album's end (bounded)."""
    for _ in range(100):
        pcm = read_raw(room.output)
        offset = find_frames(pcm, whole, probe_frames=256)
        if offset is not None and pcm.frames > offset + len(whole) // 2 + RATE // 10:
            return
        await asyncio.sleep(0.1)


async def test_rooms_hold_the_whole_album_in_sync(
    aiohttp_client: AiohttpClient, tmp_path: Path, snapserver: SnapServer, rooms: list[SnapClient]
) -> None:
    whole = make_tone_album(tmp_path / "music", tmp_path / "parts")
    for room in rooms:
        room.wait_started()
    client = await source_deck(aiohttp_client, tmp_path, snapserver)
    await play_tone_album(client)
    await wait_state(client, "playing")
    await wait_state(client, "stopped")
    # mpv ends ahead of the rooms (the pipes, snapserver's 1 s buffer): wait for the tail, bounded.
    for room in rooms:
        await played_out(room, whole)
    for room in rooms:
        room.stop()
    onsets = []
    for room in rooms:
        offset, bad_frame = onset_and_join(read_raw(room.output), whole)
        assert bad_frame is None, f"{room.host_id}: differs from frame {bad_frame} of the album on"
        onsets.append(room.heard_at(offset))  # the onset on the wall clock
    spread = abs(onsets[0] - onsets[1])
    print(f"\nonset spread between the rooms: {spread * 1000:.1f} ms")
    assert spread < 0.030
