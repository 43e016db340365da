"""An in-process service on the fake engine, with the demo library, for API tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from player.app import create_app
from player.config import Config, parse_config
from player.engine.fake import FakeEngine
from player.web.keys import SERVICES

AiohttpClient = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]


def service_config(tmp_path: Path, **tables: dict[str, Any]) -> Config:
    data: dict[str, Any] = {
        "paths": {"state_dir": str(tmp_path / "state"), "cache_dir": str(tmp_path / "cache")},
        "library": {"music_dir": str(tmp_path / "music")},
        "audio": {"output": "null"},
        "zeroconf": {"enabled": False},
        "mpd": {"enabled": False},
    }
    for name, values in tables.items():
        data[name] = {**data.get(name, {}), **values}
    return parse_config(data, {"HOME": str(tmp_path)})


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine(speed=1.0, default_duration=20.0)


@pytest.fixture
async def client(
    aiohttp_client: AiohttpClient, tmp_path: Path, engine: FakeEngine
) -> TestClient[Any, Any]:
    app = create_app(service_config(tmp_path), engine=engine)
    test_client = await aiohttp_client(app)
    await asyncio.wait_for(app[SERVICES].media.scanned.wait(), 30)
    return test_client
