"""Issue 13 item 13: the next track, handed to mpv as a stream, is swapped for its download, and
`playing_from`, the play log and the Jellyfin report say what mpv really opened.

The fake Jellyfin serves two short WAV tracks. The first plays from its stream (nothing is on
disk), so the second is handed to mpv as a stream too; its download then lands while the first
plays. Real mpv (null output) must play the second from the file: the server never sees a stream
request for it, and the API, the plays table and the Playing report all say local / DirectPlay.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.jellyfin import FakeJellyfin, FakeTrack
from tests.integration.jellyfin_thread import FakeJellyfinThread, deck_with, serving
from tests.integration.service import ServiceProcess
from tests.integration.test_server_unreachable import wav_bytes

pytestmark = [pytest.mark.slow, pytest.mark.mpv]

USER, PASSWORD = "kitchen", "secret"


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    album, _ = fake.add_album("Two Tones", [], artists=("The Swappers",))
    for number, (seconds, freq) in enumerate([(12.0, 200), (6.0, 400)], start=1):
        payload = wav_bytes(seconds, freq)
        track = fake.add_track(
            f"Tone {number}", album.id, len(payload), index=number, container="wav",
            artists=("The Swappers",), payload=payload,
        )  # fmt: skip
        track.runtime_seconds = seconds
    with serving(fake) as server:
        yield server


def streamed(fake: FakeJellyfin, track: FakeTrack) -> list[str]:
    return [p for m, p in fake.requests if p.startswith(f"/Audio/{track.id}/")]


def player(deck: ServiceProcess) -> dict[str, Any]:
    found: dict[str, Any] = deck.api("GET", "/player")
    return found


def playing(deck: ServiceProcess, track: FakeTrack) -> dict[str, Any] | None:
    now = player(deck)
    item = now["item"] or {}
    return now if now["state"] == "playing" and item.get("id") == track.id else None


def test_next_stream_is_swapped_for_the_download(
    tmp_path: Path, jellyfin: FakeJellyfinThread
) -> None:
    fake = jellyfin.fake
    first, second = sorted(fake.tracks.values(), key=lambda t: t.index or 0)
    # No pre-caching: the only download is the one asked for below.
    quiet = {"policy": "seed", "queue_precache_enabled": False, "album_affinity_enabled": False}
    # mpv opens (prefetches) the next entry once its demuxer has read the current file to the
    # end: a small read-ahead keeps that to the last seconds, well after the download lands.
    audio = {"demuxer_max_bytes": 64 * 1024}
    deck = deck_with(tmp_path / "deck", jellyfin, USER, PASSWORD, cache=quiet, audio=audio)
    with deck:
        album = deck.wait_until(lambda: deck.api("GET", "/library/albums")["items"], 15)[0]
        deck.api("POST", "/queue", {"album_id": album["id"], "mode": "replace", "play": True})
        now = deck.wait_until(lambda: playing(deck, first), 15)
        assert now["playing_from"] == "stream"
        status, row = deck.request("POST", "/api/v1/downloads", {"item_id": second.id})
        assert status == 201, row
        deck.wait_until(
            lambda: deck.api("GET", f"/downloads/{row['id']}")["status"] == "completed", 10
        )
        assert playing(deck, first), "the download must land while the first track plays"
        now = deck.wait_until(lambda: playing(deck, second), 20)
        assert now["playing_from"] == "local"
        assert streamed(fake, second) == [], "mpv opened the stream, not the file"
        reports = deck.wait_until(lambda: playing_reports(fake, second), 10)
        assert reports[0]["PlayMethod"] == "DirectPlay"
    assert plays_from_local(deck.state_dir / "cache.db", second.id) == [1]


def playing_reports(fake: FakeJellyfin, track: FakeTrack) -> list[dict[str, Any]]:
    return [b for p, b in fake.reports if p == "/Sessions/Playing" and b.get("ItemId") == track.id]


def plays_from_local(db: Path, item_id: str) -> list[int]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT from_local FROM plays WHERE item_id = ?", (item_id,))
        return [int(r[0]) for r in rows.fetchall()]
