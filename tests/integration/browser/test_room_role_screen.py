"""The Rooms screen on a tapedeck in the room role (issue 19), in Chromium, with Debian's real
snapserver: the room's own snapclient is marked "This speaker"; when that snapclient dies the
screen says so and why, until tapedeck has started it again. Screenshot dark."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.integration.service import ServiceProcess
from tests.snapcast.snapserver import SNAPCLIENT, STREAM, SnapServer, needs_snapcast

pytestmark = [pytest.mark.browser, needs_snapcast]
OpenPage = Callable[..., Any]
CARD = "#room-list li[data-room-id='Bedroom']"


@pytest.fixture
def house(tmp_path: Path) -> Iterator[SnapServer]:
    server = SnapServer(tmp_path / "snap")
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def bedroom(house: SnapServer, tmp_path: Path) -> Iterator[ServiceProcess]:
    snapcast = {
        "role": "room", "control_port": house.control_port, "stream_port": house.stream_port,
        "stream": STREAM, "snapclient": SNAPCLIENT,
        "player": f"file:filename={tmp_path / 'bedroom.pcm'}",
    }  # fmt: skip
    svc = ServiceProcess(
        tmp_path / "deck",
        extra={"snapcast": snapcast, "library": {"demo": False}, "server": {"name": "Bedroom"}},
    )
    svc.start()
    try:
        yield svc
    finally:
        svc.stop()


def the_rooms_snapclient() -> psutil.Process | None:
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "snapclient" and "Bedroom" in (process.info["cmdline"] or []):
            return process
    return None


def test_a_room_shows_its_own_snapclient(
    house: SnapServer, bedroom: ServiceProcess, open_page: OpenPage, shots: Path
) -> None:
    page = open_page(bedroom.base_url + "/#/rooms", scheme="dark")
    page.wait_for_selector(f"{CARD} .room-sub:has-text('This speaker')", timeout=30000)
    page.wait_for_selector(
        f"{CARD} .room-name:has-text('Bedroom')"
    )  # tapedeck's name, not the host's
    assert "Connected" in page.inner_text(f"{CARD} .room-sub")
    bedroom.wait_until(lambda: the_rooms_snapclient() is not None, timeout=15)
    process = the_rooms_snapclient()
    assert process is not None
    process.kill()
    notice = page.wait_for_selector("#rooms-notice:not([hidden])", timeout=30000)
    assert "snapclient is not running" in notice.inner_text()
    assert "starting it again" in notice.inner_text()
    page.screenshot(path=str(shots / "rooms-own-snapclient-down-dark.png"))
    page.wait_for_selector("#rooms-notice", state="hidden", timeout=30000)  # started again
    page.wait_for_selector(f"{CARD}:not(.offline)", timeout=30000)
