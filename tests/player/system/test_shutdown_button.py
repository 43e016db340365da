"""A GPIO button with action "shutdown" (issue 13, item 16): the service asks systemd to power off
through the image's mechanism (a request in $RUNTIME_DIRECTORY that tapedeck-poweroff.path
watches), and the stop systemd then makes (the app's clean-up, as SIGTERM runs it) writes the
checkpoint, so the next start resumes the queue where it was.

In-process service on the fake engine; the button is on gpiozero's MockFactory, handed in where
gpiozero picks its driver, and pressed from a foreign thread as gpiozero's own callbacks come.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from player.app import create_app
from player.config import Config
from player.engine.fake import FakeEngine
from player.system.poweroff import REQUEST_NAME, request_path, request_power_off
from player.web.keys import SERVICES
from tests.player.conftest import AiohttpClient, service_config
from tests.polling import until

PIN = 27
SAVED = "the queue and the play position are saved for the next start"


@pytest.fixture
def runtime_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    run = tmp_path / "run" / "tapedeck"
    run.mkdir(parents=True, mode=0o700)
    monkeypatch.setenv("RUNTIME_DIRECTORY", str(run))  # what RuntimeDirectory=tapedeck sets
    return run


class ServicePins:
    """The MockFactory the service's buttons got at their last start (the service owns it)."""

    def __init__(self) -> None:
        self.factory: MockFactory | None = None

    def make(self) -> MockFactory:
        self.factory = MockFactory()
        return self.factory

    async def hold(self, pin: int) -> None:
        factory = self.factory
        assert factory is not None, "the service claimed no pins"
        await asyncio.to_thread(lambda: factory.pin(pin).drive_low())  # pull-up wiring: held low


@pytest.fixture
def pins(monkeypatch: pytest.MonkeyPatch) -> ServicePins:
    service_pins = ServicePins()
    monkeypatch.setattr(Device, "_default_pin_factory", staticmethod(service_pins.make))
    return service_pins


def _config(tmp_path: Path) -> Config:
    button = {"pin": PIN, "action": "stop", "hold_action": "shutdown", "hold_time": 0.1}
    return service_config(tmp_path, gpio={"buttons": [button]})


async def _started(aiohttp_client: AiohttpClient, config: Config) -> TestClient[Any, Any]:
    app = create_app(config, engine=FakeEngine(speed=1.0, default_duration=600.0))
    client = await aiohttp_client(app)
    await asyncio.wait_for(app[SERVICES].media.scanned.wait(), 30)
    return client


async def test_shutdown_button_asks_systemd_and_the_stop_keeps_the_session(
    aiohttp_client: AiohttpClient,
    tmp_path: Path,
    runtime_dir: Path,
    pins: ServicePins,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    config = _config(tmp_path)
    client = await _started(aiohttp_client, config)
    album = (await (await client.get("/api/v1/library/albums")).json())["items"][0]
    body = {"album_id": album["id"], "mode": "replace", "play": True}
    assert (await client.post("/api/v1/queue", json=body)).status == 200
    seek = {"position": 5.0}  # inside the shortest demo track
    assert (await client.post("/api/v1/player/seek", json=seek)).status == 200

    await pins.hold(PIN)
    request = runtime_dir / REQUEST_NAME
    await until(request.exists, tries=1000)
    assert request.read_text() == f"button {PIN}\n"  # which control asked, for the journal
    assert "asked to power off" in caplog.text

    await client.close()  # systemd's SIGTERM: the service's clean-up, as serve() runs it
    assert caplog.text.count(SAVED) == 1

    again = await _started(aiohttp_client, config)
    queue = await (await again.get("/api/v1/queue")).json()
    assert len(queue["entries"]) == album["track_count"]

    async def resumed_position() -> float:
        return float((await (await again.get("/api/v1/player")).json())["position"])

    for _ in range(500):  # bounded: the resume is submitted once the service is up
        if await resumed_position() > 0:
            break
        await asyncio.sleep(0.02)
    assert await resumed_position() >= 2.0  # where the stop left it, less the resume rewind
    await again.close()


def test_request_path_is_the_first_runtime_directory(tmp_path: Path) -> None:
    env = {"RUNTIME_DIRECTORY": f"{tmp_path}:/elsewhere"}
    assert request_path(env) == tmp_path / REQUEST_NAME
    assert request_path({}) is None


def test_without_a_runtime_directory_nothing_powers_off(caplog: pytest.LogCaptureFixture) -> None:
    assert request_power_off("button 5", env={}) is False
    assert "no runtime directory" in caplog.text


def test_an_unwritable_runtime_directory_is_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = {"RUNTIME_DIRECTORY": str(tmp_path / "gone")}
    assert request_power_off("button 5", env=env) is False
    assert "cannot be written" in caplog.text
