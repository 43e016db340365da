"""Downloads from the fake Jellyfin, seen on the page: rings, the Downloads page, bulk actions.

These run once the service has the downloads routes and the Jellyfin source; until then the module
skips with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.browser.jellyfin_process import FakeJellyfinProcess
from tests.integration.service import ServiceProcess

pytestmark = pytest.mark.browser
OpenPage = Callable[..., Any]


@pytest.fixture(scope="module")
def dl_service(
    tmp_path_factory: pytest.TempPathFactory, jellyfin: FakeJellyfinProcess
) -> Iterator[ServiceProcess]:
    info = jellyfin.info or {}
    jf = {"url": info["url"], "username": info["username"], "password": info["password"]}
    svc = ServiceProcess(
        tmp_path_factory.mktemp("dl-service"),
        extra={"jellyfin": jf, "cache": {"wifi_only": False}},
    )
    svc.start()
    try:
        status, _ = svc.request("GET", "/api/v1/downloads")
        if status in (404, 503):
            pytest.skip("the service has no downloads routes (or no Jellyfin source) yet")
        svc.wait_until(lambda: _album(svc, "Quick Album"), timeout=20)
        yield svc
    finally:
        svc.stop()


def _album(svc: ServiceProcess, title: str) -> str | None:
    items = svc.api("GET", "/library/albums")["items"]
    return next((str(a["id"]) for a in items if a["title"] == title), None)


RING_MIDWAY = """() => [...document.querySelectorAll('#album-tracks .dl')].some(
  (b) => b.dataset.state === 'downloading' && +b.dataset.progress > 0 && +b.dataset.progress < 100)"""


def test_album_download_rings_page_and_bulk_actions(
    dl_service: ServiceProcess, jellyfin: FakeJellyfinProcess, open_page: OpenPage, shots: Path
) -> None:
    album_id = _album(dl_service, "Quick Album")
    page = open_page(dl_service.base_url + f"/#/album/{album_id}")
    page.wait_for_selector("#album-tracks .dl[data-state=available]")
    jellyfin.command("stall 1")  # one file stops at 1 MiB of 3: a ring visibly part-way

    page.locator(".album-actions .dl-lg").click()
    page.wait_for_selector(".album-actions .dl-lg[data-state=downloading]")
    page.wait_for_function(RING_MIDWAY)
    page.screenshot(path=str(shots / "album-downloading-light.png"))

    page.get_by_role("link", name="Downloads", exact=True).click()
    page.wait_for_selector("#downloads-list .dl-row[data-status=downloading]")
    page.screenshot(path=str(shots / "downloads-active-light.png"))

    page.click("#pause-all")
    page.wait_for_selector("#downloads-list .dl-row[data-status=paused]")
    assert page.locator("#downloads-list .dl-row[data-status=downloading]").count() == 0
    page.click("#resume-all")  # resumes with a Range request; the stall was used up

    page.wait_for_selector("#downloads-list .empty", timeout=30000)  # nothing active any more
    page.click("#tab-completed")
    page.wait_for_selector("#downloads-list .dl-row[data-status=completed] >> nth=2")
    page.screenshot(path=str(shots / "downloads-completed-light.png"))

    page.goto(dl_service.base_url + f"/#/album/{album_id}")
    page.wait_for_selector(".album-actions .dl-lg[data-state=completed]")
    assert page.locator("#album-tracks .dl[data-state=completed]").count() == 3

    page.get_by_role("link", name="Downloads", exact=True).click()
    page.click("#tab-completed")
    page.click("#clear-completed")
    page.wait_for_selector("#downloads-list .empty")
    done = dl_service.api("GET", "/downloads?status=completed")
    assert done["downloads"] == []


def test_track_button_and_partial_album(dl_service: ServiceProcess, open_page: OpenPage) -> None:
    album_id = _album(dl_service, "Slow Album")
    page = open_page(dl_service.base_url + f"/#/album/{album_id}")
    first = page.locator("#album-tracks .dl").first
    first.click()
    page.wait_for_selector("#album-tracks .dl[data-state=completed]")
    # One of two tracks on the speaker: the album button says "partial".
    page.wait_for_selector(".album-actions .dl-lg[data-state=partial]")
    page.get_by_role("link", name="Library", exact=True).click()
    page.wait_for_selector(f".card[data-album-id='{album_id}'] .dl[data-state=partial]")
