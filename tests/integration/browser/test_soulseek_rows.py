"""Issue 13, finding 15, on the page of the real service: a Soulseek download (slskd cannot pause
its transfers) shows Cancel but no Pause, and "Pause all" stays off while it is the only one."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.fakes.slskd import API_KEY, FakeSlskd, Peer
from tests.integration.service import ServiceProcess

pytestmark = pytest.mark.browser
OpenPage = Callable[..., Any]
REMOTE = "@@share\\Music\\Quiet Band\\Empty Rooms\\01 - Hush.flac"
TIMEOUT = 10.0


class SlskdThread:
    """The fake slskd on 127.0.0.1, served from an event loop in a daemon thread."""

    def __init__(self, fake: FakeSlskd) -> None:
        self.fake = fake
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-slskd")
        self._runner = web.AppRunner(fake.app(), access_log=None, shutdown_timeout=1.0)

    def start(self) -> str:
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(TIMEOUT)

    async def _serve(self) -> str:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}/"

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(TIMEOUT)
        self._loop.close()


@pytest.fixture(scope="module")
def slskd_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    root = tmp_path_factory.mktemp("slskd-service")
    fake = FakeSlskd(downloads_dir=root / "slskd-downloads")
    fake.add_peer(Peer("quiet peer", {REMOTE: b"f" * 4000}))
    server = SlskdThread(fake)
    url = server.start()
    slskd = {"url": url, "api_key": API_KEY, "poll_active": 0.1, "poll_idle": 0.5}
    svc = ServiceProcess(root / "svc", extra={"slskd": slskd, "library": {"demo": False}})
    svc.start()
    try:
        yield svc
    finally:
        svc.stop()
        server.stop()


def test_a_soulseek_row_offers_cancel_but_no_pause(
    slskd_service: ServiceProcess, open_page: OpenPage, shots: Path
) -> None:
    files = [{"filename": REMOTE, "size": 4000}]
    status, body = slskd_service.request(
        "POST", "/api/v1/slskd/downloads", {"username": "quiet peer", "files": files}
    )
    assert status == 201, body
    page = open_page(slskd_service.base_url + "/#/downloads")
    row = page.locator("#downloads-list .dl-row[data-status=pending]")
    row.wait_for()
    assert row.locator("[data-action=cancel]").count() == 1
    assert row.locator("[data-action=pause]").count() == 0
    assert page.locator("#pause-all").is_disabled()
    page.screenshot(path=str(shots / "downloads-soulseek-light.png"))
