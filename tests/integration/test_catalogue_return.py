"""Issue 13 item 12: booted while the Jellyfin server is away, the library fills once it is back.

Before, a failed catalogue sync waited for the next six-hour cycle. Now a failed sync is retried
with backoff, and at once when the network watcher sees the server reachable again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.jellyfin import FakeJellyfin
from tests.integration.jellyfin_thread import FakeJellyfinThread
from tests.integration.service import ServiceProcess, free_port

pytestmark = [pytest.mark.slow]

USER, PASSWORD = "kitchen", "secret"


def test_library_fills_when_the_server_comes_back(tmp_path: Path) -> None:
    port = free_port()
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    fake.add_album("Late Arrival", [1000, 2000])
    extra = {
        "jellyfin": {"url": f"http://127.0.0.1:{port}", "username": USER, "password": PASSWORD},
        "library": {"demo": False},
        "network": {"interval": 1.0, "debounce": 0.5},
    }
    server = FakeJellyfinThread(fake)
    with ServiceProcess(tmp_path / "deck", extra=extra) as deck:
        deck.wait_until(lambda: "Jellyfin catalogue not refreshed" in deck.log_tail(), 20)
        assert deck.api("GET", "/library/albums")["total"] == 0
        server.start(port)
        try:
            deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] == 1, 20)
        finally:
            server.stop()
