"""Browser fixtures: Debian's Chromium through Playwright, phone-sized pages, the real service.

Screenshots go to $TAPEDECK_SHOTS (default /tmp/tapedeck-shots); the folder is printed at the end.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.browser.jellyfin_process import FakeJellyfinProcess
from tests.integration.browser.music import Song, write_album, write_song
from tests.integration.service import ServiceProcess

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
EVIL = "<img src=x onerror=alert(1)>"
SHOTS = Path(os.environ.get("TAPEDECK_SHOTS", "/tmp/tapedeck-shots"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SHOTS.is_dir() and any(SHOTS.glob("*.png")):
        terminalreporter.write_line(f"browser screenshots: {SHOTS}")


# Module scope, not session: sync Playwright keeps an event loop running in this thread while it
# is open, and the async tests that follow cannot start their own loop until it is closed.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def make_music(folder: Path) -> None:
    """Three small albums; one holds titles that would be markup if rendered as HTML."""
    write_album(
        folder, "Harbour Lights", "The Low Tides", ["Salt Air", "Lanterns", "The Breakwater"]
    )
    write_album(folder, "Night Drive", "Mira Okafor", ["Overpass", "Sodium Glow"])
    write_song(folder, Song(EVIL, "Odd Names", "Test & Co", 1))
    write_song(folder, Song('<b>bold</b> & "quotes"', "Odd Names", "Test & Co", 2))


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    root = tmp_path_factory.mktemp("service")
    make_music(root / "music")
    svc = ServiceProcess(root)
    svc.start()
    # The library scan runs after the socket listens: wait until every album is in.
    svc.wait_until(lambda: svc.api("GET", "/library/albums")["total"] >= 3, timeout=20)
    try:
        yield svc
    finally:
        svc.stop()


@pytest.fixture(scope="module")
def jellyfin() -> Iterator[FakeJellyfinProcess]:
    """The fake Jellyfin in a process of its own (two albums; see jellyfin_process.py)."""
    fake = FakeJellyfinProcess()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


class PageProblems:
    """What must never happen on a page: script errors and dialogs (alert() would be XSS)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """open_page(url, scheme="light", before=None) -> a 390x844 page; fails the test on script
    errors/dialogs. `before(page)` runs ahead of the first load (to route requests, say)."""
    contexts: list[Any] = []
    problems = PageProblems()

    def opener(url: str, scheme: str = "light", before: Callable[[Any], None] | None = None) -> Any:
        context = browser.new_context(
            viewport=PHONE, color_scheme=scheme, device_scale_factor=2, has_touch=False
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("pageerror", lambda err: problems.errors.append(str(err)))

        def on_dialog(dialog: Any) -> None:
            problems.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        if before is not None:
            before(page)
        page.goto(url)
        page.wait_for_selector("body[data-connection=live]")
        return page

    yield opener
    for context in contexts:
        context.close()
    assert not problems.dialogs, f"the page opened dialogs: {problems.dialogs}"
    assert not problems.errors, f"script errors on the page: {problems.errors}"


@pytest.fixture(scope="session")
def shots() -> Path:
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
