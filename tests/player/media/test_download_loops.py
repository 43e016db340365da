"""cache/'s download loops run under the service's supervisor as critical named tasks: if one
dies, the supervisor reports it by name (and the service ends non-zero) instead of downloads
stopping silently while the process lives on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from cache.downloads import DownloadManager
from cache.slskd.service import SlskdService
from cache.slskd.tracker import Tracker
from player.app import create_app
from player.engine.fake import FakeEngine
from player.web.keys import SERVICES
from tests.player.conftest import service_config

AiohttpClient = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]
SLSKD = {"url": "http://127.0.0.1:9", "api_key": "k", "poll_idle": 60.0}
JELLYFIN = {"url": "http://127.0.0.1:9", "username": "u", "password": "p"}


async def _dies(*_args: object) -> None:
    await asyncio.sleep(0)
    raise RuntimeError("injected failure")


@pytest.mark.parametrize(
    ("owner", "loop", "name"),
    [
        (DownloadManager, "run", "downloads-scheduler"),
        (Tracker, "run", "slskd-tracker"),
        (SlskdService, "watch_library", "slskd-library"),
    ],
)
async def test_a_dead_download_loop_is_a_critical_failure(
    aiohttp_client: AiohttpClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    owner: type,
    loop: str,
    name: str,
) -> None:
    monkeypatch.setattr(owner, loop, _dies)
    config = service_config(tmp_path, library={"demo": False}, slskd=SLSKD, jellyfin=JELLYFIN)
    client = await aiohttp_client(create_app(config, engine=FakeEngine()))
    supervisor = client.app[SERVICES].supervisor
    await asyncio.wait_for(supervisor.failed.wait(), 10.0)
    assert supervisor.failure is not None and supervisor.failure.startswith(f"{name}:")
    assert "injected failure" in supervisor.failure
