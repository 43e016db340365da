"""Issue 13 item 1: a full card (state and cache on one filesystem) neither stops playback nor the
service's next start.

A 40 MB tmpfs is the card. The service plays the demo album (its music folder lies elsewhere)
while a person's download of a 33 MiB track takes what it may of the card (it is held or pauses
short of the room kept for the databases); a filler file then takes every byte left. The service must keep playing, write checkpoints again or say on
/health that it cannot, and come back on the same full card after a restart, resuming the queue.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cache.reserve import RESERVE_BYTES, RESERVE_NAME
from tests.fakes.jellyfin import FakeJellyfin
from tests.integration.jellyfin_thread import FakeJellyfinThread, serving
from tests.integration.service import ServiceProcess
from tests.integration.test_download_gate import tmpfs  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.slow, pytest.mark.mpv]

USER, PASSWORD = "kitchen", "secret"
BIG = 33 * 1024 * 1024  # about what the card has left: it may start, and cannot finish


@pytest.fixture
def card(request: pytest.FixtureRequest) -> Path:
    """The 40 MB tmpfs of the gate tests (skips where it cannot mount), for state and cache."""
    found: Path = request.getfixturevalue("tmpfs")
    return found


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    fake.add_album("Too Big", [BIG], artists=("The Hoarders",))
    with serving(fake) as server:
        yield server


def fill(folder: Path) -> int:
    """Write a file until the filesystem refuses; returns how many bytes it took."""
    written = 0
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for size in (1 << 20, 1 << 12, 1):
            with contextlib.suppress(OSError):
                while True:
                    written += os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return written


def free_bytes(folder: Path) -> int:
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize


def player(deck: ServiceProcess) -> dict[str, Any]:
    found: dict[str, Any] = deck.api("GET", "/player")
    return found


def settled(deck: ServiceProcess, download_id: int) -> dict[str, Any] | None:
    """The download no longer writes: waiting for room, paused by a full disk, or done."""
    row: dict[str, Any] = deck.api("GET", f"/downloads/{download_id}")
    waiting = row["status"] in ("pending", "paused") and row["wait_reason"]
    return row if waiting or row["status"] in ("completed", "failed") else None


def position_after(deck: ServiceProcess, position: float) -> dict[str, Any] | None:
    now = player(deck)
    return now if now["state"] == "playing" and now["position"] > position else None


def test_a_full_card_keeps_playing_and_restarts(
    tmp_path: Path, card: Path, jellyfin: FakeJellyfinThread
) -> None:
    extra = {
        "paths": {"state_dir": card / "state", "cache_dir": card / "cache"},
        "library": {"music_dir": tmp_path / "music", "demo": True},
        "jellyfin": {"url": jellyfin.fake.url, "username": USER, "password": PASSWORD},
        "cache": {"wifi_only": False, "min_free_bytes": 0},
        "player": {"checkpoint_interval": 1.0},
        "downloads": {"retry_delays": [0.2, 0.5, 1.0]},
    }
    deck = ServiceProcess(tmp_path / "deck", extra=extra)
    with deck:
        albums = deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] >= 3, 20)
        assert albums
        local = next(
            a for a in deck.api("GET", "/library/albums")["items"] if a["title"] != "Too Big"
        )
        deck.api("POST", "/queue", {"album_id": local["id"], "mode": "replace", "play": True})
        deck.wait_until(lambda: position_after(deck, 0.0), 15)
        big = next(iter(jellyfin.fake.tracks))
        status, row = deck.request("POST", "/api/v1/downloads", {"item_id": big})
        assert status == 201
        # The download is held (it does not fit) or pauses short of the last bytes (they are
        # the databases')...
        deck.wait_until(lambda: settled(deck, row["id"]), 30)
        # ... and something else takes them: the card is full to the last byte.
        fill(card)
        assert free_bytes(card) == 0
        # Playing through a full card: several checkpoint intervals, the position moving on.
        mark = player(deck)["position"]
        deck.wait_until(lambda: position_after(deck, mark + 4.0), 20)
        assert deck.running
        health = deck.api("GET", "/health")
        assert health["status"] == "ok"
        assert deck.stop() == 0
    # The room kept for the databases went to them; the card is otherwise as full as it was.
    assert not (card / "state" / RESERVE_NAME).exists()
    assert free_bytes(card) < RESERVE_BYTES + (1 << 20)
    deck.start()  # on the same full card
    try:
        resumed = deck.wait_until(lambda: position_after(deck, 0.0), 20)
        assert resumed["item"]["album_id"] == local["id"]
        mark = resumed["position"]
        deck.wait_until(lambda: position_after(deck, mark + 3.0), 20)
        assert "the card is nearly full" in " ".join(deck.api("GET", "/health")["problems"])
    finally:
        assert deck.stop() == 0
    assert "Traceback" not in deck.log_path.read_text()
