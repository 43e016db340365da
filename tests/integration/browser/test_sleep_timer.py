"""The sleep timer on Now Playing (issue 21): set from the page's sheet, shown on its chip, and
turned off again; a timer set elsewhere (the API, a button) shows up too. Screenshots light and dark."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration.service import ServiceProcess

pytestmark = pytest.mark.browser
OpenPage = Callable[..., Any]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_set_show_and_cancel_the_sleep_timer(
    service: ServiceProcess, open_page: OpenPage, shots: Path, scheme: str
) -> None:
    service.request("DELETE", "/api/v1/sleep")
    page = open_page(service.base_url + "/#/now", scheme=scheme)
    chip = page.wait_for_selector("#np-sleep:has-text('Sleep timer')")
    assert chip.get_attribute("aria-pressed") == "false"

    chip.click()
    page.click(".sheet-action:has-text('In 30 minutes')")
    page.wait_for_selector("#np-sleep[aria-pressed='true']:has-text('Sleep in 30 min')")
    timer = service.api("GET", "/sleep")
    assert timer["active"] and timer["mode"] == "minutes"
    page.screenshot(path=str(shots / f"sleep-timer-{scheme}.png"))

    # Set by another controller: the event brings it to the page.
    service.api("POST", "/sleep", {"end_of_track": True})
    page.wait_for_selector("#np-sleep:has-text('Sleep after this track')")
    page.click("#np-sleep")
    page.wait_for_selector(".sheet-action.danger")
    page.screenshot(path=str(shots / f"sleep-sheet-{scheme}.png"))
    page.click(".sheet-action.danger")
    page.wait_for_selector("#np-sleep[aria-pressed='false']:has-text('Sleep timer')")
    assert not service.api("GET", "/sleep")["active"]
