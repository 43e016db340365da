"""A 20,000-entry queue and a 4,000-album library in Chromium: the queue screen keeps only the
rows on screen in the DOM, follows the speaker's changes without copies of the queue, and neither
screen has a main-thread task over 100 ms while scrolled (PerformanceObserver 'longtask')."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from cache.db import open_db
from cache.schema import MIGRATIONS
from tests.bench.scale_catalogue import fill_catalogue
from tests.integration.browser.test_library_scale import ALBUMS, LONG_TASKS, _scroll_to_the_end
from tests.integration.browser.test_page import OpenPage, take
from tests.integration.service import ServiceProcess

pytestmark = pytest.mark.browser
ENTRIES = 20_000
TRACKS_PER_ALBUM = 3  # fill_catalogue's ids: b<album:06d>t<n:03d>
ROWS = "document.querySelectorAll('#queue-list .q-row').length"
LONG_TASK_MS = 100
BUSY_LOAD = 2.0 * (os.cpu_count() or 1)  # above it, a long task may be the scheduler's
# true once the page has not scrolled for 10 frames in a row (polled every frame)
SCROLL_AT_REST = """() => {
  const w = window, y = w.scrollY;
  w.__restFrames = w.__restY === y ? (w.__restFrames || 0) + 1 : 0;
  w.__restY = y;
  return w.__restFrames >= 10;
}"""


def _ids() -> list[str]:
    every = [f"b{a:06d}t{n:03d}" for a in range(ALBUMS) for n in range(TRACKS_PER_ALBUM)]
    return [every[i % len(every)] for i in range(ENTRIES)]


@pytest.fixture(scope="module")
def long_queue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    root = tmp_path_factory.mktemp("long-queue")

    async def build() -> None:
        conn = await open_db(root / "state" / "cache.db", MIGRATIONS)
        try:
            await fill_catalogue(conn, ALBUMS, ALBUMS * TRACKS_PER_ALBUM)
        finally:
            await conn.close()

    asyncio.run(build())
    svc = ServiceProcess(root, extra={"library": {"demo": False, "scan_on_start": False}})
    with svc:
        ids = _ids()
        for start in range(0, ENTRIES, 10_000):  # POST /queue takes 10,000 ids at a time
            mode = "replace" if start == 0 else "append"
            svc.api(
                "POST", "/queue?limit=0", {"item_ids": ids[start : start + 10_000], "mode": mode}
            )
        yield svc


def assert_no_long_task(page: Any, what: str, again: Callable[[], Any]) -> None:
    """No main-thread task over 100 ms (issue 14, acceptance 6). A long task is wall-clock time,
    and a shared two-core machine's scheduler alone makes one now and then (102 ms was seen once
    at load 3.7, beside a simulator run): up to three tries, each on a fresh page that `again()`
    opens and scrolls the same way, and the best counts. A page that really blocks for 100 ms
    fails all three. Above a load average of two per core a miss is an expected failure (106 ms
    was seen once at load 6), not a red run."""
    longest, load = _longest_task(page, what)
    for _ in range(2):
        if longest <= LONG_TASK_MS:
            break
        retry, load = _longest_task(again(), f"{what}, again")
        longest = min(longest, retry)
    if longest > LONG_TASK_MS and load > BUSY_LOAD:
        pytest.xfail(f"longest task {longest:.0f} ms at load {load:.1f} (over {BUSY_LOAD})")
    assert longest <= LONG_TASK_MS, f"longest task {longest:.0f} ms at load {load:.1f}"


def _longest_task(page: Any, what: str) -> tuple[float, float]:
    """The longest main-thread task the page has recorded, and the load average now."""
    tasks = page.evaluate("window.__longTasks")
    longest, load = max(tasks, default=0.0), os.getloadavg()[0]
    print(
        f"\n{what}: {len(tasks)} tasks over 50 ms, the longest {longest:.0f} ms (load {load:.1f})"
    )
    return longest, load


def _settled(page: Any) -> None:
    """Let the snapshot's parse and the first render pass, then count long tasks from here."""
    page.wait_for_timeout(500)
    page.evaluate("window.__longTasks.length = 0")


def _title_at(service: ServiceProcess, index: int) -> str:
    page = service.api("GET", f"/queue?offset={index}&limit=1")
    return str(page["entries"][0]["item"]["title"])


def _scroll_the_queue(page: Any) -> None:
    """A thumb flicking down in steps, a jump to the end and back to the middle."""
    for _ in range(60):
        page.mouse.wheel(0, 1600)
        page.wait_for_timeout(16)
    # A wheel's smooth scroll still running would carry on from where it was after the jump to
    # the end (seen: 1,600 px short of it, the last row not on screen): let it come to rest.
    page.wait_for_function(SCROLL_AT_REST, polling="raf")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(200)


def _scrolled_queue(service: ServiceProcess, open_page: OpenPage, scheme: str) -> Any:
    """A fresh queue screen of the 20,000 entries, scrolled from top to bottom."""
    page = open_page(
        service.base_url + "/#/queue", scheme, before=lambda p: p.add_init_script(LONG_TASKS)
    )
    page.wait_for_selector("#queue-list .q-row")
    assert page.text_content("#queue-summary").startswith("20000 tracks")
    _settled(page)
    _scroll_the_queue(page)
    return page


def _scrolled_library(service: ServiceProcess, open_page: OpenPage) -> Any:
    """A fresh library screen of the 4,000 albums, scrolled to its end."""
    page = open_page(
        service.base_url + "/#/library", before=lambda p: p.add_init_script(LONG_TASKS)
    )
    page.wait_for_selector("#album-grid .card")
    _settled(page)
    assert _scroll_to_the_end(page) == ALBUMS
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_20000_entry_queue_scrolls_without_long_tasks(
    long_queue: ServiceProcess, open_page: OpenPage, shots: Path, scheme: str
) -> None:
    page = _scrolled_queue(long_queue, open_page, scheme)
    last = _title_at(long_queue, ENTRIES - 1)
    page.wait_for_selector(f"#queue-list .q-row:last-child .q-title:text-is('{last}')")
    assert page.evaluate(ROWS) < 80  # the rows on screen and a margin, never 20,000
    take(page, shots, f"queue-20000-end-{scheme}")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    middle = page.locator("#queue-list .q-row").nth(15).get_attribute("data-entry-id")
    assert middle is not None
    take(page, shots, f"queue-20000-middle-{scheme}")

    again = partial(_scrolled_queue, long_queue, open_page, scheme)
    assert_no_long_task(page, f"{ENTRIES} entries scrolled ({scheme})", again)


def test_the_queue_follows_changes_and_the_library_scrolls(
    long_queue: ServiceProcess, open_page: OpenPage
) -> None:
    frames: list[int] = []

    def watch(page: Any) -> None:
        page.add_init_script(LONG_TASKS)
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(len(f))))

    page = open_page(long_queue.base_url + "/#/queue", before=watch)
    page.wait_for_selector("#queue-list .q-row")
    frames.clear()  # the snapshot holds the whole queue; what follows are changes
    ids = _ids()
    long_queue.api("POST", "/queue?limit=0", {"item_ids": ids[:3], "mode": "next"})
    page.wait_for_selector("#queue-summary:text-matches('^20003 tracks')")
    first = long_queue.api("GET", "/queue?offset=0&limit=1")["entries"][0]["entry_id"]
    long_queue.api("DELETE", f"/queue/{first}?limit=0")
    page.wait_for_selector("#queue-summary:text-matches('^20002 tracks')")
    assert not page.locator(f"[data-entry-id='{first}']").count()
    assert frames and max(frames) < 10_000  # changes, never a copy of the 20,000 entries

    _settled(page)
    page.get_by_role("link", name="Library", exact=True).click()
    page.wait_for_selector("#album-grid .card")
    assert _scroll_to_the_end(page) == ALBUMS
    again = partial(_scrolled_library, long_queue, open_page)
    assert_no_long_task(page, f"{ALBUMS} albums scrolled", again)
