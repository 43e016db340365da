"""Settings and the network status line against the real service, the fake Jellyfin and a fake
network (a /sys + /proc tree from tests/fakes/sysfs.py that the test rewires), at 390x844."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.sysfs import FakeSystem
from tests.integration.browser.jellyfin_process import FakeJellyfinProcess
from tests.integration.service import ServiceProcess

pytestmark = pytest.mark.browser
OpenPage = Callable[..., Any]
LIMIT = 50_000_000  # small, so the album downloaded below fills a visible part of the bar
WAIT = 20.0
LOOKAHEAD = "#cfg-lookahead_minutes_unmetered"


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> FakeSystem:
    system = FakeSystem(tmp_path_factory.mktemp("net") / "root")
    system.iface("wlan0", wireless=True)
    system.iface("wwan0")
    system.routes({"wlan0": 600})
    return system


@pytest.fixture(scope="module")
def deck(
    tmp_path_factory: pytest.TempPathFactory, jellyfin: FakeJellyfinProcess, net: FakeSystem
) -> Iterator[ServiceProcess]:
    info = jellyfin.info or {}
    svc = ServiceProcess(
        tmp_path_factory.mktemp("settings-service"),
        extra={
            "jellyfin": {k: info[k] for k in ("url", "username", "password")},
            "library": {"demo": False},
            "cache": {"wifi_only": True, "storage_limit": LIMIT},
            "network": {"sysfs_root": str(net.root), "use_networkmanager": False,
                        "interval": 0.1, "debounce": 0.5},
        },
    )  # fmt: skip
    svc.start()
    try:
        yield svc
    finally:
        svc.stop()


def human_bytes(n: float) -> str:
    """format.js's bytes(): SI units, one decimal below 10."""
    units = ["B", "KB", "MB", "GB", "TB"]
    i = 0
    while abs(n) >= 1000 and i < len(units) - 1:
        n /= 1000
        i += 1
    return f"{n:.{1 if i > 0 and abs(n) < 10 else 0}f} {units[i]}"


def album_id(deck: ServiceProcess, title: str) -> str:
    def find() -> str | None:
        items = deck.api("GET", "/library/albums")["items"]
        return next((str(a["id"]) for a in items if a["title"] == title), None)

    return deck.wait_until(find, WAIT)


def status_is(page: Any, kind: str, label: str, reason: str) -> None:
    page.wait_for_selector(f"#np-status[data-kind={kind}] .reason:text-is('{reason}')")
    assert page.text_content("#np-status .net-kind") == label
    assert page.locator("#np-status").inner_text().split() == [*label.split(), "·", *reason.split()]


def test_network_status_line_says_why_downloads_wait(
    deck: ServiceProcess, net: FakeSystem, jellyfin: FakeJellyfinProcess, open_page: OpenPage
) -> None:
    deck.api("PATCH", "/cache/config", {"wifi_only": True})
    net.routes({"wlan0": 600})
    page = open_page(deck.base_url + "/#/now")
    status_is(page, "wifi", "Wi-Fi", "downloading on Wi-Fi")

    net.routes({"wwan0": 700})  # a phone's hotspot takes over: metered
    status_is(page, "cellular", "Mobile data", "waiting for Wi-Fi")
    assert deck.api("GET", "/network")["reason"] == "waiting for Wi-Fi"

    # A dead zone: no default route, and the server cannot be reached by any other way either.
    jellyfin.command("down")
    net.routes({})
    try:
        status_is(page, "offline", "Offline", "waiting for a network")
    finally:
        jellyfin.command("up")
    net.routes({"wlan0": 600})
    status_is(page, "wifi", "Wi-Fi", "downloading on Wi-Fi")


def download_album(deck: ServiceProcess, title: str) -> None:
    deck.api("POST", "/downloads/album", {"album_id": album_id(deck, title)})

    def done() -> bool:
        rows = deck.api("GET", "/downloads?limit=100")["downloads"]
        return bool(rows) and all(d["status"] == "completed" for d in rows)

    deck.wait_until(done, WAIT)


STORAGE_SHOWS = """(want) => {
  const t = (s) => document.querySelector(s)?.textContent;
  return t('#storage-used') === want.used && t('#storage-limit') === want.limit
    && t('#storage-free') === want.free
    && document.querySelector('#storage-bar')?.getAttribute('aria-valuenow') === want.pct;
}"""


def storage_matches_api(page: Any, deck: ServiceProcess) -> dict[str, Any]:
    """The figures the page shows are GET /api/v1/cache's. Free space can move between two looks
    at the disk, so a mismatch is retried (a few times, each with a fresh look)."""
    for attempt in range(4):
        cache: dict[str, Any] = deck.api("GET", "/cache")
        want = {
            "used": human_bytes(cache["used_bytes"]),
            "limit": human_bytes(cache["limit_bytes"]),
            "free": human_bytes(cache["disk_free_bytes"]) + " free on the disk",
            "pct": str(round(cache["used_bytes"] / cache["limit_bytes"] * 100)),
        }
        try:
            page.wait_for_function(STORAGE_SHOWS, arg=want, timeout=3000)
            return cache
        except Exception:
            if attempt == 3:
                raise
            page.goto(deck.base_url + "/#/now")  # showing Settings again reads the figures afresh
            page.goto(deck.base_url + "/#/settings")
    raise AssertionError("unreachable")


def config(deck: ServiceProcess) -> dict[str, Any]:
    result: dict[str, Any] = deck.api("GET", "/cache")["config"]
    return result


def set_number(page: Any, selector: str, value: str) -> None:
    page.fill(selector, value)
    page.press(selector, "Enter")


def test_settings_storage_and_changes_that_persist(
    deck: ServiceProcess, open_page: OpenPage, shots: Path
) -> None:
    deck.api("PATCH", "/cache/config", {"wifi_only": True, "lookahead_minutes_unmetered": 20})
    download_album(deck, "Quick Album")
    page = open_page(deck.base_url + "/#/settings")
    page.wait_for_selector("#set-storage #storage-bar")
    cache = storage_matches_api(page, deck)
    assert cache["used_bytes"] >= 9_000_000 and cache["limit_bytes"] == LIMIT
    assert page.text_content("#storage-items") == "3 tracks kept · 3 downloaded by you"
    assert cache["reasons"] and all(isinstance(r, str) for r in cache["reasons"])
    page.wait_for_selector("#storage-reasons")
    assert (page.text_content("#storage-reasons") or "").startswith("Pre-cacher: ")

    # Wi-Fi only: the switch flips at once and the speaker has it.
    assert page.is_checked("#cfg-wifi_only")
    page.click("#cfg-wifi_only")
    assert not page.is_checked("#cfg-wifi_only")
    deck.wait_until(lambda: config(deck)["wifi_only"] is False)
    page.wait_for_selector("#row-wifi_only:not(.busy)")

    set_number(page, LOOKAHEAD, "45")
    deck.wait_until(lambda: config(deck)["lookahead_minutes_unmetered"] == 45)
    page.wait_for_selector("#row-lookahead_minutes_unmetered.saved")

    # A value the speaker refuses: its reason in words, the field back to what holds.
    set_number(page, LOOKAHEAD, "5000")
    error = page.wait_for_selector("#row-lookahead_minutes_unmetered .set-error:visible")
    assert error.text_content() == "Minutes ahead on Wi-Fi: must be between 0 and 1440"
    assert page.input_value(LOOKAHEAD) == "45"
    assert config(deck)["lookahead_minutes_unmetered"] == 45

    # The policy decides which depth is shown: tracks ahead for "seed", minutes for "smart".
    page.get_by_role("radio", name="Simple").click()
    page.wait_for_selector("#row-queue_precache_count:visible")
    assert page.locator("#row-lookahead_minutes_unmetered").is_hidden()
    deck.wait_until(lambda: config(deck)["policy"] == "seed")
    page.get_by_role("radio", name="Smart").click()
    page.wait_for_selector(f"{LOOKAHEAD}:visible")
    deck.wait_until(lambda: config(deck)["policy"] == "smart")

    # A new storage limit: the bar follows from the speaker's cache event.
    page.select_option("#cfg-storage_limit", str(1_000_000_000))
    page.wait_for_selector("#storage-limit:text-is('1.0 GB')")
    assert deck.api("GET", "/cache")["limit_bytes"] == 1_000_000_000

    deck.restart()
    page.wait_for_selector("body[data-connection=live]", timeout=30000)
    after = config(deck)
    assert after["wifi_only"] is False and after["lookahead_minutes_unmetered"] == 45
    assert after["storage_limit"] == 1_000_000_000
    page.reload()  # what a fresh page shows comes from the restarted speaker alone
    page.wait_for_selector("body[data-connection=live]")
    page.wait_for_selector(f"{LOOKAHEAD}:visible")
    assert not page.is_checked("#cfg-wifi_only")
    assert page.input_value(LOOKAHEAD) == "45"
    assert page.input_value("#cfg-storage_limit") == "1000000000"
    storage_matches_api(page, deck)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_settings_screens(
    deck: ServiceProcess, open_page: OpenPage, shots: Path, scheme: str
) -> None:
    page = open_page(deck.base_url + "/#/settings", scheme)
    page.wait_for_selector("#set-storage #storage-bar")
    page.wait_for_selector("#set-device .kv")
    page.wait_for_timeout(250)  # let transitions settle
    page.screenshot(path=str(shots / f"settings-storage-{scheme}.png"))
    page.locator("#set-cache").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('#set-cache').scrollIntoView()")
    page.wait_for_timeout(100)
    page.screenshot(path=str(shots / f"settings-precache-{scheme}.png"))


def test_transcode_settings_show_change_and_revert_a_refusal(
    deck: ServiceProcess, open_page: OpenPage
) -> None:
    """Issue 20 acceptance 5: both copy settings shown and changed; a 422 reverts, with why."""
    deck.api("PATCH", "/cache/config", {"transcode": "off", "transcode_auto": None})
    page = open_page(deck.base_url + "/#/settings")
    page.wait_for_selector("#cfg-transcode")
    assert page.input_value("#cfg-transcode") == "off"
    assert page.input_value("#cfg-transcode_auto") == ""  # by storage: LIMIT is under 32 GB
    page.select_option("#cfg-transcode", "opus:128")
    deck.wait_until(lambda: config(deck)["transcode"] == "opus:128")
    page.wait_for_selector("#row-transcode.saved")
    page.select_option("#cfg-transcode_auto", "mp3:192")
    deck.wait_until(lambda: config(deck)["transcode_auto"] == "mp3:192")

    # M4A is refused by the speaker (no moov atom in a transcode): the list goes back, and says why.
    page.evaluate(
        """() => { const s = document.querySelector('#cfg-transcode');
        s.add(new Option('M4A 256 kbps', 'm4a:256')); s.value = 'm4a:256';
        s.dispatchEvent(new Event('change')); }"""
    )
    error = page.wait_for_selector("#row-transcode .set-error:visible")
    assert "codec among opus, mp3, aac" in (error.text_content() or "")
    assert page.input_value("#cfg-transcode") == "opus:128"
    assert config(deck)["transcode"] == "opus:128"

    deck.restart()  # kept across restarts, like every cache setting
    page.reload()
    page.wait_for_selector("body[data-connection=live]", timeout=30000)
    page.wait_for_selector("#cfg-transcode")
    assert page.input_value("#cfg-transcode") == "opus:128"
    assert page.input_value("#cfg-transcode_auto") == "mp3:192"
