"""The pre-cacher in the real service, against the fake Jellyfin and a fake sysfs tree (issue #4,
acceptance 4): a switch from Wi-Fi to cellular pauses automatic downloads with a visible reason and
they resume on Wi-Fi; playing through a queue finds the next tracks local before they start."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.sysfs import FakeSystem
from tests.integration.jellyfin_thread import FakeJellyfinThread, deck_with, serving
from tests.integration.service import ServiceProcess
from tests.tones import wav_bytes

USER, PASSWORD = "car", "secret"
LONG_SECONDS = 90.0  # about 2.9 MB each: seconds of transfer at the throttled rate
SHORT_SECONDS = 2.5  # the album played through
WAIT = 30.0


def add_album(fake: FakeJellyfin, title: str, count: int, seconds: float) -> list[str]:
    album, _ = fake.add_album(title, [])
    ids = []
    for n in range(1, count + 1):
        payload = wav_bytes(seconds, 220.0 * n)
        track = fake.add_track(
            f"{title} {n}", album.id, len(payload), index=n, container="wav", payload=payload
        )
        track.runtime_seconds = seconds
        ids.append(track.id)
    return ids


@pytest.fixture
def net(tmp_path: Path) -> FakeSystem:
    system = FakeSystem(tmp_path / "root")
    system.iface("wlan0", wireless=True)
    system.iface("wwan0")
    system.routes({"wlan0": 600})
    return system


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    with serving(fake) as server:
        yield server


def make_deck(root: Path, jellyfin: FakeJellyfinThread, net: FakeSystem) -> ServiceProcess:
    network = {
        "sysfs_root": str(net.root),
        "interval": 0.1,
        "debounce": 0.5,
        "use_networkmanager": False,
    }
    return deck_with(root, jellyfin, USER, PASSWORD, cache={"wifi_only": True}, network=network)


def album_id(deck: ServiceProcess, title: str) -> str:
    def find() -> str | None:
        items = deck.api("GET", "/library/albums")["items"]
        return next((a["id"] for a in items if a["title"] == title), None)

    return deck.wait_until(find, WAIT)


def auto_downloads(deck: ServiceProcess) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = deck.api("GET", "/downloads?origin=auto&limit=100")["downloads"]
    return rows


def all_held(deck: ServiceProcess) -> list[dict[str, Any]] | None:
    """The automatic downloads once none of them is running any more."""
    rows = auto_downloads(deck)
    return rows if rows and all(d["status"] in ("pending", "completed") for d in rows) else None


def test_metered_network_holds_automatic_downloads_until_wifi(
    tmp_path: Path, jellyfin: FakeJellyfinThread, net: FakeSystem
) -> None:
    ids = add_album(jellyfin.fake, "Long Drive", 3, LONG_SECONDS)
    jellyfin.fake.rate = 256 * 1024  # bytes/s: each track takes a few seconds
    with make_deck(tmp_path / "deck", jellyfin, net) as deck:
        assert deck.api("GET", "/network")["kind"] == "wifi"
        deck.api("POST", "/queue", {"album_id": album_id(deck, "Long Drive"), "mode": "replace"})
        deck.wait_until(
            lambda: any(d["status"] == "downloading" for d in auto_downloads(deck)), WAIT
        )
        deck.wait_until(lambda: sum(jellyfin.fake.bytes_served(i) for i in ids) > 0, WAIT)

        net.routes({"wwan0": 700})  # the phone's hotspot takes over
        network = deck.wait_until(
            lambda: (n := deck.api("GET", "/network"))["kind"] == "cellular" and n, WAIT
        )
        assert network["metered"] is True and network["downloads_allowed"] is False
        assert network["reason"] == "waiting for Wi-Fi"
        held = deck.wait_until(lambda: all_held(deck), WAIT)
        waiting = [d for d in held if d["status"] == "pending"]
        assert waiting and all(d["wait_reason"] == "waiting for Wi-Fi" for d in waiting)
        served = sum(jellyfin.fake.bytes_served(i) for i in ids)
        time.sleep(1.0)  # a window in which a running transfer would have moved bytes
        assert sum(jellyfin.fake.bytes_served(i) for i in ids) == served
        assert all(d["status"] != "downloading" for d in auto_downloads(deck))

        jellyfin.fake.rate = None
        net.routes({"wlan0": 600})  # home again
        deck.wait_until(
            lambda: len([d for d in auto_downloads(deck) if d["status"] == "completed"]) == 3,
            WAIT,
        )
        assert sum(jellyfin.fake.bytes_served(i) for i in ids) >= served
        assert deck.api("GET", "/network")["downloads_allowed"] is True


def test_playing_through_a_queue_finds_the_next_tracks_local(
    tmp_path: Path, jellyfin: FakeJellyfinThread, net: FakeSystem
) -> None:
    ids = add_album(jellyfin.fake, "Short Songs", 4, SHORT_SECONDS)
    with make_deck(tmp_path / "deck", jellyfin, net) as deck:
        deck.api(
            "POST", "/queue",
            {"album_id": album_id(deck, "Short Songs"), "mode": "replace", "play": True},
        )  # fmt: skip
        seen: dict[str, str] = {}

        def record() -> bool:
            player = deck.api("GET", "/player")
            item = player["item"]
            if player["state"] == "playing" and item is not None:
                seen.setdefault(item["id"], player["playing_from"])
            return ids[-1] in seen

        deck.wait_until(record, WAIT, step=0.05)
        assert list(seen) == ids
        assert all(seen[i] == "local" for i in ids[1:]), seen
        cache = deck.api("GET", "/cache")
        assert cache["items"] >= len(ids) - 1 and cache["pinned_items"] == 0
