"""Stream-through on the real service, real mpv and the fake Jellyfin (issue 18, acceptance 3
and 4): a track that must stream is fetched once, through tapedeck, into the cache as it plays.
The server then goes away for a while after the bytes arrived; the render, played at a sound
card's pace (tests/integration/paced_sink.py), has no gap, the server sent the file's bytes
once, and a replay is local. On a metered link with `wifi_only` it plays the same, keeps nothing
and counts the bytes as metered."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.sysfs import FakeSystem
from tests.integration.jellyfin_thread import FakeJellyfinThread, deck_with, serving
from tests.integration.paced_sink import PacedSink, Render
from tests.integration.service import ServiceProcess
from tests.tones import wav_bytes

pytestmark = pytest.mark.mpv

USER, PASSWORD = "driver", "secret"
RATE = 16_000  # tests.tones.wav_bytes: mono, 16-bit
BYTES_PER_SECOND = RATE * 2
HEADER = 44  # the canonical WAV header wav_bytes writes (mpv's own is longer: extensible)
WAIT = 60.0


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    with serving(fake) as server:
        yield server


def add_track(fake: FakeJellyfin, seconds: float) -> tuple[str, bytes]:
    album, _ = fake.add_album("Tunnel", [])
    payload = wav_bytes(seconds, 330.0, rate=RATE)
    track = fake.add_track("Tunnel 1", album.id, len(payload), container="wav", payload=payload)
    track.runtime_seconds = seconds
    return track.id, payload


def network(root: Path, iface: str) -> dict[str, Any]:
    system = FakeSystem(root)
    system.iface("wlan0", wireless=True)
    system.iface("wwan0")
    system.routes({iface: 600})
    return {"sysfs_root": str(system.root), "interval": 0.1, "debounce": 0.5,
            "use_networkmanager": False}  # fmt: skip


def start_deck(
    tmp_path: Path, jellyfin: FakeJellyfinThread, sink: PacedSink, iface: str, wifi_only: bool
) -> ServiceProcess:
    sink.start()
    return deck_with(
        tmp_path / "deck", jellyfin, USER, PASSWORD,
        audio={"output": f"pcm:{sink.path}"},
        cache={"wifi_only": wifi_only, "stream_through": True},
        network=network(tmp_path / "root", iface),
    )  # fmt: skip


def play_first(deck: ServiceProcess, item_id: str) -> dict[str, Any]:
    """Play the track once the catalogue has it; the Player as it starts."""
    deck.wait_until(
        lambda: deck.request("GET", f"/api/v1/library/tracks/{item_id}")[0] == 200, WAIT
    )
    deck.api("POST", "/queue", {"item_ids": [item_id], "mode": "replace", "play": True})
    return deck.wait_until(
        lambda: (p := deck.api("GET", "/player"))["state"] == "playing" and p, WAIT
    )


def played_out(deck: ServiceProcess, sink: PacedSink, payload: bytes) -> None:
    """The queue ended, and the card played what mpv still held (a pcm output drains at once:
    what it held is dropped by the next play)."""
    deck.wait_until(lambda: deck.api("GET", "/player")["state"] == "stopped", WAIT)
    want = len(payload) - HEADER
    deck.wait_until(lambda: sink.renders and len(sink.renders[0].data) >= want, WAIT)


def assert_no_gap(render: Render, payload: bytes) -> None:
    samples = payload[HEADER:]
    assert samples in bytes(render.data), "the render lacks some of the track's samples"
    assert render.silent_seconds < 0.5, f"{render.silent_seconds:.2f} s of silence mid-track"


def dead_zone(jellyfin: FakeJellyfinThread, seconds: float) -> None:
    """The server stops answering for `seconds` (the port refuses), then comes back."""
    port = int(jellyfin.fake.url.rsplit(":", 1)[1])
    jellyfin.stop()
    time.sleep(seconds)  # the scenario itself: a tunnel this long
    jellyfin.start(port)


def test_a_dead_zone_after_the_bytes_arrived_is_not_silence_and_a_replay_is_local(
    tmp_path: Path, jellyfin: FakeJellyfinThread
) -> None:
    item_id, payload = add_track(jellyfin.fake, 30.0)
    jellyfin.fake.rate = 256 * 1024  # the whole file in about 4 s of a 30 s track
    sink = PacedSink(tmp_path / "card.fifo", BYTES_PER_SECOND)
    try:
        with start_deck(tmp_path, jellyfin, sink, "wlan0", wifi_only=True) as deck:
            assert play_first(deck, item_id)["playing_from"] == "stream"
            deck.wait_until(lambda: jellyfin.fake.bytes_served(item_id) >= len(payload), WAIT)
            assert deck.api("GET", "/player")["state"] == "playing"
            dead_zone(jellyfin, 20.0)
            played_out(deck, sink, payload)
            assert jellyfin.fake.bytes_served(item_id) == len(payload)  # fetched once

            deck.api("POST", "/player/play")
            replay = deck.wait_until(
                lambda: (p := deck.api("GET", "/player"))["state"] == "playing" and p, WAIT
            )
            assert replay["playing_from"] == "local"
            kept = deck.api("GET", "/downloads?origin=auto")["downloads"]
            assert [(d["item_id"], d["status"]) for d in kept] == [(item_id, "completed")]
            deck.api("POST", "/player/stop")
    finally:
        sink.stop()
    assert_no_gap(sink.renders[0], payload)
    assert jellyfin.fake.bytes_served(item_id) == len(payload)


def test_on_a_metered_link_with_wifi_only_it_plays_keeps_nothing_and_counts_metered(
    tmp_path: Path, jellyfin: FakeJellyfinThread
) -> None:
    item_id, payload = add_track(jellyfin.fake, 8.0)
    jellyfin.fake.rate = 256 * 1024
    sink = PacedSink(tmp_path / "card.fifo", BYTES_PER_SECOND)
    try:
        with start_deck(tmp_path, jellyfin, sink, "wwan0", wifi_only=True) as deck:
            assert deck.api("GET", "/network")["metered"] is True
            assert play_first(deck, item_id)["playing_from"] == "stream"
            deck.wait_until(lambda: jellyfin.fake.bytes_served(item_id) >= len(payload), WAIT)
            dead_zone(jellyfin, 4.0)
            played_out(deck, sink, payload)

            def nothing_kept() -> bool:
                rows = deck.api("GET", "/downloads?limit=100")["downloads"]
                used = deck.api("GET", "/cache")["used_bytes"]
                return used == 0 and not any(d["status"] == "completed" for d in rows)

            deck.wait_until(nothing_kept, WAIT)
            cache = deck.api("GET", "/cache")
            assert cache["metered_bytes"] >= len(payload)
            assert cache["items"] == 0
    finally:
        sink.stop()
    assert_no_gap(sink.renders[0], payload)
    assert jellyfin.fake.bytes_served(item_id) == len(payload)
