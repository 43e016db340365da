"""The remote-control room wired into the in-process service (fake engine, fake Jellyfin)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from player.app import create_app
from player.engine.fake import FakeEngine
from player.web.keys import SERVICES
from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.jellyfin_app import JellyfinApp
from tests.player.conftest import AiohttpClient, service_config
from tests.polling import until

NAME = "Sofa Speaker"


@pytest.fixture
async def jellyfin() -> AsyncIterator[FakeJellyfin]:
    fake = FakeJellyfin()
    fake.add_user("kitchen", "secret")
    fake.add_album("Blue", [1000, 2000])
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


def config(tmp_path: Path, fake: FakeJellyfin, remote: bool | None):  # type: ignore[no-untyped-def]
    jellyfin = {"url": fake.url, "username": "kitchen", "password": "secret"}
    if remote is not None:
        jellyfin["remote_control"] = remote  # type: ignore[assignment]
    return service_config(
        tmp_path, server={"name": NAME}, library={"demo": False}, jellyfin=jellyfin
    )


async def test_on_by_default_a_cast_plays(
    aiohttp_client: AiohttpClient, tmp_path: Path, jellyfin: FakeJellyfin
) -> None:
    app = create_app(config(tmp_path, jellyfin, None), engine=FakeEngine(speed=1.0))
    await aiohttp_client(app)
    await until(
        lambda: (s := jellyfin.hub.by_name(NAME)) is not None and s.controllable, tries=1000
    )
    svc = app[SERVICES]
    phone = await asyncio.to_thread(JellyfinApp(jellyfin.url).login, "kitchen", "secret")
    target = await asyncio.to_thread(phone.wait_for_target, NAME)
    album_id = next(iter(jellyfin.albums))
    for _ in range(500):  # the catalogue sync runs in the background
        if await svc.library.album(album_id) is not None:
            break
        await asyncio.sleep(0.01)
    await asyncio.to_thread(phone.play, target["Id"], [album_id], start_index=1)
    await until(lambda: svc.controller.queue.index == 1 and svc.controller.state == "playing")
    assert [e.item.id for e in svc.controller.queue.entries] == list(jellyfin.tracks)


@pytest.mark.parametrize("how", ["remote_control off", "an API key, no user"])
async def test_off_when_configured_so_or_without_a_user(
    aiohttp_client: AiohttpClient, tmp_path: Path, jellyfin: FakeJellyfin, how: str
) -> None:
    settings = config(tmp_path, jellyfin, False)
    if how != "remote_control off":
        jellyfin.api_keys.add("k" * 32)
        jellyfin_table = {"url": jellyfin.url, "api_key": "k" * 32}
        settings = service_config(tmp_path, library={"demo": False}, jellyfin=jellyfin_table)
    app = create_app(settings, engine=FakeEngine(speed=1.0))
    await aiohttp_client(app)
    await until(lambda: ("GET", "/Items") in jellyfin.requests, tries=1000)  # it is up and syncing
    await asyncio.sleep(0.3)
    assert ("GET", "/socket") not in jellyfin.requests
    assert ("POST", "/Sessions/Capabilities/Full") not in jellyfin.requests
