"""The Radio and Alarms screens (issue 21, acceptance 6) on the real service and mpv: add a station
from the page, play it, see the stream's ICY title as text on its row and on Now Playing, remove
it; add an alarm (time, days, what it plays), turn it off, change it and delete it; the alarm chip
on Now Playing names the next one. Screenshots light and dark."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.service import ServiceProcess
from tests.radio_origin import RadioOrigin, mp3_bytes, serving_radio

pytestmark = pytest.mark.browser
OpenPage = Callable[..., Any]


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadioOrigin]:
    with serving_radio(mp3_bytes(tmp_path_factory.mktemp("radio"))) as station:
        yield station


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_radio_screen_adds_plays_and_removes_a_station(
    service: ServiceProcess, origin: RadioOrigin, open_page: OpenPage, shots: Path, scheme: str
) -> None:
    page = open_page(service.base_url + "/#/library", scheme=scheme)
    page.click("#to-radio")
    page.wait_for_selector("#radio-stations .empty, #station-list")
    page.fill("#station-name", "Test FM <i>")
    page.fill("#station-url", f"{origin.base}/station.pls")
    page.click("#station-add")
    row = page.wait_for_selector("#station-list li:has-text('Test FM <i>')")  # text, not markup
    station_id = row.get_attribute("data-station-id")
    row.query_selector(".c-badge").click()
    page.wait_for_selector(f"li[data-station-id='{station_id}'] .station-sub:has-text('On air: {origin.title}')",
                           timeout=30000)  # fmt: skip
    page.screenshot(path=str(shots / f"radio-{scheme}.png"))
    page.goto(service.base_url + "/#/now")
    page.wait_for_selector(f"#np-title:has-text('{origin.title}')")
    assert page.inner_text("#np-artists") == "Test FM <i>"
    assert page.inner_text("#np-album") == "Internet radio"
    page.screenshot(path=str(shots / f"radio-now-playing-{scheme}.png"))
    service.api("POST", "/player/stop")
    page.goto(service.base_url + "/#/radio")
    page.click(f"li[data-station-id='{station_id}'] [aria-label^='Remove']")
    page.wait_for_selector(f"li[data-station-id='{station_id}']", state="detached")
    assert service.api("GET", "/radio")["stations"] == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_alarms_screen_adds_turns_off_changes_and_deletes(
    service: ServiceProcess, open_page: OpenPage, shots: Path, scheme: str
) -> None:
    page = open_page(service.base_url + "/#/now", scheme=scheme)
    page.click("#np-alarm")
    page.wait_for_selector("#alarm-add")
    page.click("#alarm-add")
    page.wait_for_selector("#alarm-time")
    page.fill("#alarm-time", "06:45")
    page.click(".alarm-days [data-day='sat']")  # weekdays, and Saturday
    page.select_option("#alarm-play", label="Harbour Lights")
    page.fill("#alarm-volume", "35")
    page.select_option("#alarm-fade", "60")
    page.screenshot(path=str(shots / f"alarm-form-{scheme}.png"))
    page.click("#alarm-save")
    row = page.wait_for_selector("#alarm-list li:has-text('06:45')")
    assert "Mon, Tue, Wed, Thu, Fri, Sat" in row.inner_text()
    assert "Album: Harbour Lights" in row.inner_text()
    (made,) = service.api("GET", "/alarms")["alarms"]
    assert (made["time"], made["volume"], made["fade_seconds"]) == ("06:45", 35, 60)
    assert made["days"] == ["mon", "tue", "wed", "thu", "fri", "sat"] and made["enabled"]
    page.screenshot(path=str(shots / f"alarms-{scheme}.png"))

    # a locator, not the handle: an alarms event may render the list again in between
    page.locator("#alarm-list li:has-text('06:45') .switch").click()
    service.wait_until(
        lambda: not service.api("GET", "/alarms")["alarms"][0]["enabled"], timeout=10
    )
    page.wait_for_selector("#alarm-list li.off")

    page.click("#alarm-list .alarm-open")
    page.fill("#alarm-time", "07:05")
    page.select_option("#alarm-play", "resume")
    page.click("#alarm-save")
    page.wait_for_selector("#alarm-list li:has-text('07:05'):has-text('The queue where it was')")
    service.api("PATCH", f"/alarms/{made['id']}", {"enabled": True})  # the event brings it
    page.wait_for_selector("#alarm-list li:not(.off)")
    page.goto(service.base_url + "/#/now")
    page.wait_for_selector("#np-alarm:has-text('Alarm ')")

    page.click("#np-alarm")
    page.click("#alarm-list .alarm-open")
    page.click("#alarm-delete")
    page.wait_for_selector("#alarms-body .empty")
    assert service.api("GET", "/alarms")["alarms"] == []
