"""Issue 21, acceptance 4, on the real service and real mpv: a 40-minute track stopped at 17:30
resumes at 17:30 after a restart and after playing other things."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.service import ServiceProcess

pytestmark = [pytest.mark.slow, pytest.mark.mpv]

STOPPED_AT = 17 * 60 + 30.0
SLACK = 2.0  # mpv lands on a FLAC frame near the seek; the API's position trails by a tick


def flac(path: Path, title: str, seconds: int) -> None:
    """Silence at 8 kHz mono: a 40-minute FLAC of a few hundred kB, made in about a second."""
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
         "anullsrc=r=8000:cl=mono", "-t", str(seconds), "-c:a", "flac",
         "-metadata", f"title={title}", "-metadata", "album=Long Things",
         "-metadata", "artist=Reader", str(path)],
        check=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def deck(tmp_path: Path) -> Iterator[ServiceProcess]:
    music = tmp_path / "music" / "Long Things"
    music.mkdir(parents=True)
    flac(music / "01 book.flac", "Book", 40 * 60)
    flac(music / "02 song.flac", "Song", 120)
    # resume = "off": what comes back is the remembered position, not the session's checkpoint
    service = ServiceProcess(tmp_path / "deck", music_dir=tmp_path / "music",
                             extra={"player": {"resume": "off"}})  # fmt: skip
    service.start()
    try:
        yield service
    finally:
        service.stop()


def tracks(deck: ServiceProcess) -> dict[str, str]:
    def scanned() -> Any:
        return deck.api("GET", "/library/search?q=Long")["albums"]

    album = deck.wait_until(scanned, timeout=30)[0]
    full = deck.api("GET", f"/library/albums/{album['id']}")
    return {t["title"]: t["id"] for t in full["tracks"]}


def play(deck: ServiceProcess, item_id: str) -> None:
    deck.api("POST", "/queue", {"item_ids": [item_id], "mode": "replace", "play": True})
    deck.wait_until(lambda: deck.api("GET", "/player")["state"] == "playing", timeout=20)


def position_once_settled(deck: ServiceProcess) -> float:
    """The position once the start went through (past the first tick)."""

    def settled() -> float | None:
        player = deck.api("GET", "/player")
        return player["position"] if player["position"] > 1.5 else None

    return float(deck.wait_until(settled, timeout=20))


def resumes_at(deck: ServiceProcess, where: float) -> bool:
    """Whether the book plays on from `where`. Polled: right after a replace the API may still
    show the replaced track's last position tick (mpv's position events carry no item)."""

    def there() -> bool:
        player = deck.api("GET", "/player")
        return player["item"]["title"] == "Book" and abs(player["position"] - where) <= SLACK

    return deck.wait_until(there, timeout=10, step=0.05)


def test_a_forty_minute_track_resumes_at_1730(deck: ServiceProcess) -> None:
    ids = tracks(deck)
    play(deck, ids["Book"])
    position_once_settled(deck)  # mpv plays it (a stop before mpv began leaves no play to note)
    deck.api("POST", "/player/seek", {"position": STOPPED_AT})
    # A tick past the seek: mpv is there, not only the API's promise.
    deck.wait_until(lambda: deck.api("GET", "/player")["position"] > STOPPED_AT + 0.1, timeout=20)
    deck.api("POST", "/player/stop")
    stopped_at = STOPPED_AT  # stopped within a tick or two of it

    deck.restart()
    tracks(deck)
    play(deck, ids["Song"])  # other things first
    position_once_settled(deck)
    play(deck, ids["Book"])
    assert resumes_at(deck, stopped_at)

    # Left again a little later, from another queue: the newer place is the one kept.
    deck.api("POST", "/player/seek", {"position": STOPPED_AT + 60})
    deck.wait_until(lambda: deck.api("GET", "/player")["position"] > STOPPED_AT + 60.1, timeout=20)
    play(deck, ids["Song"])
    play(deck, ids["Book"])
    assert resumes_at(deck, STOPPED_AT + 60)
