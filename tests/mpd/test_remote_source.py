"""Tracks of another source (the fake Jellyfin) through MPD: browsed under Albums/, added by
their `tapedeck/<source>/<id>` URI, with the server's cover as album art."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from player.app import create_app
from player.engine.fake import FakeEngine
from player.web.keys import SERVICES
from tests.fakes.jellyfin import PNG, FakeJellyfin
from tests.integration.jellyfin_thread import FakeJellyfinThread, serving
from tests.integration.service import free_port
from tests.mpd.conftest import Line
from tests.player.conftest import AiohttpClient, service_config


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin()
    fake.add_user("kitchen", "secret")
    fake.add_album("Kind of Blue", [4000, 5000], artists=("Miles",))
    with serving(fake) as server:  # the integration tests' one way to serve the fake
        yield server


async def test_remote_tracks_are_browsed_added_and_pictured(
    aiohttp_client: AiohttpClient, tmp_path: Path, jellyfin: FakeJellyfinThread
) -> None:
    config = service_config(
        tmp_path,
        library={"demo": False},
        jellyfin={"url": jellyfin.fake.url, "username": "kitchen", "password": "secret"},
        mpd={"enabled": True, "host": "127.0.0.1", "port": free_port()},
    )
    app = create_app(config, engine=FakeEngine(speed=1.0))
    await aiohttp_client(app)
    await asyncio.wait_for(app[SERVICES].media.scanned.wait(), 30)
    server = app[SERVICES].mpd
    assert server is not None
    mpd = await Line.open(server.port)
    try:
        songs: list[str] = []
        for _ in range(100):  # the catalogue sync runs in the background; MPD's view follows it
            songs = await mpd.command('lsinfo "Albums/Kind of Blue"')
            if songs[0].startswith("file: "):
                break
            await asyncio.sleep(0.2)
        uris = [line.removeprefix("file: ") for line in songs if line.startswith("file: ")]
        assert len(uris) == 2 and all(u.startswith("tapedeck/jellyfin/") for u in uris)
        assert _has(await mpd.command('lsinfo "Artists/Miles/Kind of Blue"'), f"file: {uris[0]}")
        assert (await mpd.command(f'add "{uris[1]}"')) == ["OK"]
        queued = await mpd.command("playlistinfo")
        assert _has(queued, f"file: {uris[1]}") and _has(queued, "Artist: Miles")
        await mpd.send(f'readpicture "{uris[0]}" 0')
        head = [await mpd.reader.readline() for _ in range(3)]
        assert head[1] == b"type: image/png\n"
        length = int(head[2].split(b": ")[1])
        assert await mpd.reader.readexactly(length) == PNG[:length]
        assert await mpd.reader.readexactly(4) == b"\nOK\n"
        assert (await mpd.command('add "tapedeck/jellyfin/nope"'))[0].startswith("ACK [50@0]")
    finally:
        await mpd.close()


def _has(lines: list[str], wanted: str) -> bool:
    return wanted in lines
