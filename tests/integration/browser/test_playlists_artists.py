"""The Playlists and Artists screens (issue 21): reached from Library, a playlist's page plays it
in order, an artist's page shows their albums and plays them all, search finds an artist.
Screenshots light and dark."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.browser.conftest import make_music
from tests.integration.browser.jellyfin_process import FakeJellyfinProcess
from tests.integration.service import ServiceProcess

pytestmark = pytest.mark.browser
OpenPage = Callable[..., Any]


def _song_path(album: str, number: int) -> str:
    """Where tests/integration/browser/music.py writes a song (relative to the music folder)."""
    return f"album-{zlib.crc32(album.encode()):08x}/{number:02d}.wav"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    root = tmp_path_factory.mktemp("collections")
    music = root / "music"
    make_music(music)
    lines = [_song_path("Night Drive", 2), _song_path("Harbour Lights", 1), "/etc/hostname"]
    (music / "Road trip.m3u8").write_text("#EXTM3U\n" + "\n".join(lines) + "\n", encoding="utf-8")
    svc = ServiceProcess(root)
    svc.start()
    svc.wait_until(lambda: svc.api("GET", "/library/playlists")["total"] == 1, timeout=30)
    try:
        yield svc
    finally:
        svc.stop()


def _titles(page: Any, selector: str) -> list[str]:
    return [str(t) for t in page.locator(f"{selector} .t-title").all_text_contents()]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_playlists_screen_lists_and_plays_a_playlist(
    service: ServiceProcess, open_page: OpenPage, shots: Path, scheme: str
) -> None:
    page = open_page(service.base_url + "/#/library", scheme=scheme)
    page.click("#to-playlists")
    page.wait_for_selector("#playlist-list .t-title:text-is('Road trip')")
    page.screenshot(path=str(shots / f"playlists-{scheme}.png"))
    page.click("#playlist-list a")
    page.wait_for_selector("#playlist-tracks")
    assert _titles(page, "#playlist-tracks") == ["Sodium Glow", "Salt Air"]
    assert "could not be used" in (page.text_content(".c-note") or "")
    page.click("#playlist-play")
    page.wait_for_selector("#mini-title:text-is('Sodium Glow')")
    queue = service.api("GET", "/queue")
    assert [e["item"]["title"] for e in queue["entries"]] == ["Sodium Glow", "Salt Air"]
    page.screenshot(path=str(shots / f"playlist-{scheme}.png"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_artists_screen_and_search_reach_an_artist(
    service: ServiceProcess, open_page: OpenPage, shots: Path, scheme: str
) -> None:
    page = open_page(service.base_url + "/#/library", scheme=scheme)
    page.click("#to-artists")
    page.wait_for_selector("#artist-list .t-title:text-is('The Low Tides')")
    assert _titles(page, "#artist-list") == ["Mira Okafor", "Test & Co", "The Low Tides"]
    page.screenshot(path=str(shots / f"artists-{scheme}.png"))
    page.click("#artist-list a:has-text('The Low Tides')")
    page.wait_for_selector("#artist-albums .card-title:text-is('Harbour Lights')")
    page.click("#artist-play")
    page.wait_for_selector("#mini-title:text-is('Salt Air')")
    queue = service.api("GET", "/queue")
    assert [e["item"]["title"] for e in queue["entries"]] == [
        "Salt Air",
        "Lanterns",
        "The Breakwater",
    ]
    page.screenshot(path=str(shots / f"artist-{scheme}.png"))
    page.get_by_role("link", name="Playing", exact=True).click()
    page.click("#np-artists .artist-link:text-is('The Low Tides')")  # back from Now Playing
    page.wait_for_selector("#view-artist:not([hidden]) .album-title:text-is('The Low Tides')")

    page.goto(service.base_url + "/#/library")
    page.fill("#search", "okaf")
    page.wait_for_selector("#search-artists .t-title:text-is('Mira Okafor')")
    page.screenshot(path=str(shots / f"search-artists-{scheme}.png"))
    page.click("#search-artists a")
    page.wait_for_selector("#artist-albums .card-title:text-is('Night Drive')")

    # An album's artist line and a track's menu lead to the artist's page too.
    page.click("#artist-albums .card")
    page.click(".album-artists .artist-link:text-is('Mira Okafor')")
    page.wait_for_selector("#view-artist .album-title:text-is('Mira Okafor')")
    page.click("#artist-albums .card")
    page.click("#album-tracks .t-more >> nth=0")
    page.click(".sheet-action:has-text('Go to artist')")
    page.wait_for_selector("#view-artist:not([hidden]) .album-title:text-is('Mira Okafor')")


@pytest.fixture(scope="module")
def jf_service(
    tmp_path_factory: pytest.TempPathFactory, jellyfin: FakeJellyfinProcess
) -> Iterator[ServiceProcess]:
    info = jellyfin.info or {}
    jf = {"url": info["url"], "username": info["username"], "password": info["password"]}
    quiet = {"wifi_only": False, "queue_precache_enabled": False, "album_affinity_enabled": False}
    extra = {"jellyfin": jf, "cache": quiet, "library": {"demo": False}}
    svc = ServiceProcess(tmp_path_factory.mktemp("jf-playlists"), extra=extra)
    svc.start()
    try:
        svc.wait_until(lambda: svc.api("GET", "/library/playlists")["total"] == 1, timeout=30)
        yield svc
    finally:
        svc.stop()


def test_a_jellyfin_playlist_downloads_from_its_page(
    jf_service: ServiceProcess, jellyfin: FakeJellyfinProcess, open_page: OpenPage, shots: Path
) -> None:
    mix = (jellyfin.info or {})["mix"]
    page = open_page(jf_service.base_url + f"/#/playlist/{mix}")
    page.wait_for_selector("#playlist-tracks .dl[data-state=available]")
    assert _titles(page, "#playlist-tracks") == ["Song 2", "Song 1"]
    assert "Jellyfin" in (page.text_content(".album-facts") or "")
    page.click("#playlist-download")
    page.wait_for_selector(".toast:has-text('2 tracks downloading')")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#playlist-tracks .dl')]"
        ".every((b) => b.dataset.state === 'completed')"
    )
    page.screenshot(path=str(shots / "playlist-jellyfin-downloaded-light.png"))
    rows = jf_service.api("GET", "/downloads")["downloads"]
    assert sorted(d["title"] for d in rows if d["status"] == "completed") == ["Song 1", "Song 2"]
