"""The Rooms screen (issue 19, acceptance 5) in Chromium, on the real service (source role) with
Debian's real snapserver and two real snapclients: it lists both rooms, moves one out of the group
and back, sets a volume and a mute, each checked at snapserver (Server.GetStatus); a change made by
another Snapcast controller shows on the page; snapserver away is said with its reason; with
multiroom off the screen is hidden. Screenshots light and dark."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.browser.conftest import EVIL
from tests.integration.service import ServiceProcess
from tests.polling import until_sync
from tests.snapcast.snapserver import OTHER, STREAM, SnapServer, needs_snapcast, start_rooms

pytestmark = [pytest.mark.browser, needs_snapcast]
OpenPage = Callable[..., Any]
GARDEN = "Garden " + EVIL


@pytest.fixture(scope="module")
def house(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnapServer]:
    server = SnapServer(tmp_path_factory.mktemp("snap"))
    server.start()
    clients = start_rooms(server)
    # Named as in Snapweb (both hosts are this machine); one name would be markup as HTML.
    server.call("Client.SetName", {"id": "kitchen", "name": "Kitchen"})
    server.call("Client.SetName", {"id": "garden", "name": GARDEN})
    try:
        yield server
    finally:
        for client in clients:
            client.stop()
        server.kill()


@pytest.fixture(scope="module")
def deck(house: SnapServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    snapcast = {"role": "source", "control_port": house.control_port, "stream": STREAM,
                "fifo": str(house.fifo)}  # fmt: skip
    svc = ServiceProcess(
        tmp_path_factory.mktemp("deck"), extra={"snapcast": snapcast, "library": {"demo": False}}
    )
    svc.start()
    try:
        svc.wait_until(lambda: svc.request("GET", "/api/v1/rooms")[0] == 200, timeout=30)
        yield svc
    finally:
        svc.stop()


def at_snapserver(house: SnapServer, room: str) -> dict[str, Any]:
    return house.clients()[room]


def room(name: str) -> str:
    return f"#room-list li[data-room-id='{name}']"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_rooms_screen_lists_moves_and_sets_volume(
    house: SnapServer, deck: ServiceProcess, open_page: OpenPage, shots: Path, scheme: str
) -> None:
    page = open_page(deck.base_url + "/#/now", scheme=scheme)
    page.wait_for_selector("#np-rooms:not([hidden]):has-text('2 rooms')")
    page.screenshot(path=str(shots / f"rooms-chip-{scheme}.png"))
    page.click("#np-rooms")
    page.wait_for_selector(room("kitchen"))
    page.wait_for_selector(room("garden"))
    assert page.inner_text(f"{room('garden')} .room-name") == GARDEN  # text, never markup
    assert "Connected" in page.inner_text(f"{room('garden')} .room-sub")
    assert "latency 0 ms" in page.inner_text(f"{room('garden')} .room-sub")

    # out of the group: snapserver's own word, then the page's
    page.locator(f"{room('garden')} .room-in-group").click()
    until_sync(lambda: at_snapserver(house, "garden")["stream_id"] == OTHER, timeout=15)
    assert at_snapserver(house, "kitchen")["stream_id"] == STREAM
    page.wait_for_selector(f"{room('garden')}.elsewhere")
    assert not page.locator(f"{room('garden')} .room-in-group").is_checked()
    page.wait_for_selector("#np-rooms-label:has-text('1 room')", state="attached")
    page.screenshot(path=str(shots / f"rooms-one-out-{scheme}.png"))

    # and back
    page.locator(f"{room('garden')} .room-in-group").click()
    until_sync(lambda: at_snapserver(house, "garden")["stream_id"] == STREAM, timeout=15)
    page.wait_for_selector(f"{room('garden')}:not(.elsewhere)")

    # a volume set with the slider, a mute with its button
    volume = 35 if scheme == "light" else 65
    page.locator(f"{room('kitchen')} .room-volume").fill(str(volume))
    until_sync(lambda: at_snapserver(house, "kitchen")["config"]["volume"]["percent"] == volume,
               timeout=15)  # fmt: skip
    page.wait_for_selector(f"{room('kitchen')} .room-volume-val:has-text('{volume}')")
    page.click(f"{room('garden')} .room-mute")
    until_sync(lambda: at_snapserver(house, "garden")["config"]["volume"]["muted"], timeout=15)
    page.wait_for_selector(f"{room('garden')} .room-mute[aria-pressed='true']")

    # another Snapcast controller (Snapweb, Home Assistant) changes a room: a `rooms` event
    theirs = 12 if scheme == "light" else 21  # never the value the other run left
    house.call("Client.SetVolume", {"id": "garden", "volume": {"muted": False, "percent": theirs}})
    page.wait_for_selector(f"{room('garden')} .room-volume-val:has-text('{theirs}')")
    page.wait_for_selector(f"{room('garden')} .room-mute[aria-pressed='false']")
    assert page.locator(f"{room('garden')} .room-volume").input_value() == str(theirs)
    page.screenshot(path=str(shots / f"rooms-{scheme}.png"))


def test_rooms_screen_says_why_snapserver_is_away(
    house: SnapServer, deck: ServiceProcess, open_page: OpenPage, shots: Path
) -> None:
    page = open_page(deck.base_url + "/#/rooms", scheme="dark")
    page.wait_for_selector(room("kitchen"))
    house.kill()
    try:
        notice = page.wait_for_selector("#rooms-notice:not([hidden])")
        assert "snapserver is unreachable" in notice.inner_text()
        assert f"127.0.0.1:{house.control_port}" in notice.inner_text()  # the service's reason
        page.wait_for_selector("#room-list.stale")  # the last rooms known stay, dimmed
        assert page.locator(f"{room('kitchen')} .room-volume").is_disabled()  # not offered
        page.screenshot(path=str(shots / "rooms-away-dark.png"))
        # a page opened now hears the same from the 503
        fresh = open_page(deck.base_url + "/#/rooms")
        fresh.wait_for_selector("#rooms-notice:not([hidden]):has-text('not reachable')")
        fresh.wait_for_selector("#np-rooms-label:has-text('no snapserver')", state="attached")
    finally:
        house.start()
    page.wait_for_selector("#rooms-notice", state="hidden", timeout=30000)
    page.wait_for_selector("#room-list:not(.stale)")


def test_rooms_are_hidden_when_multiroom_is_off(
    service: ServiceProcess, open_page: OpenPage
) -> None:
    assert service.request("GET", "/api/v1/rooms")[0] == 404
    page = open_page(service.base_url + "/#/rooms")
    page.wait_for_selector("#view-rooms .empty:has-text('Multiroom is off')")
    assert page.locator("#np-rooms").get_attribute("hidden") is not None  # no chip on Now Playing
