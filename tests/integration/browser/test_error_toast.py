"""A track that cannot play is skipped and the phone page says why (issue 13 item 14)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.browser.music import Song, write_song
from tests.integration.service import ServiceProcess

pytestmark = pytest.mark.browser
OpenPage = Callable[..., Any]
ALBUM = "Broken Tape"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    root = tmp_path_factory.mktemp("errors")
    titles = ["Missing Reel", "Still Here", "Also Fine"]
    paths = [
        write_song(root / "music", Song(t, ALBUM, "The Splices", n))
        for n, t in enumerate(titles, 1)
    ]
    write_song(root / "music", Song("Elsewhere", "Other", "Someone", 1))
    svc = ServiceProcess(root)
    svc.start()
    svc.wait_until(lambda: svc.api("GET", "/library/albums")["total"] >= 2, timeout=20)
    paths[0].unlink()  # the catalogue knows the track; its file is gone, as after a card fault
    try:
        yield svc
    finally:
        svc.stop()


def _album_id(svc: ServiceProcess) -> str:
    return str(
        next(a["id"] for a in svc.api("GET", "/library/albums")["items"] if a["title"] == ALBUM)
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_unplayable_track_shows_a_toast(
    service: ServiceProcess, open_page: OpenPage, shots: Path, scheme: str
) -> None:
    service.api("DELETE", "/queue")
    page = open_page(service.base_url + "/#/album/" + _album_id(service), scheme=scheme)
    page.wait_for_selector(".t-title")
    service.api("POST", "/queue", {"album_id": _album_id(service), "mode": "replace", "play": True})
    toast = page.wait_for_selector(".toast.error")
    text = toast.text_content() or ""
    assert "Missing Reel" in text and "skipped" in text
    page.screenshot(path=str(shots / f"error-toast-{scheme}.png"))
    service.wait_until(lambda: service.api("GET", "/player")["item"]["title"] == "Still Here")
    page.wait_for_selector("#mini-title:text-is('Still Here')")
