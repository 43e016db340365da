"""Issue 16, acceptance 1 and 3: casting from an app to the real service, and a server restart.

1. An app lists the controllable sessions, finds the deck by its name and casts an album with
   PlayNow at StartIndex 2. Real mpv renders to a WAV file: the third track plays from the local
   copy (the album was downloaded first; `playing_from` says "local" and the server saw no stream
   request), then the fourth joins it sample for sample, and tracks 1 and 2 are not heard at all.
3. The server goes away (the socket closes, connections are refused for 10 s) and comes back:
   the deck plays on, reconnects, posts its capabilities again and is a cast target again within
   15 s; a socket that went silent for the fake's keep-alive timeout would be dropped, and the
   deck's never is.
"""

from __future__ import annotations

import array
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.jellyfin import FakeJellyfin
from tests.integration.jellyfin_thread import FakeJellyfinThread, deck_with, serving
from tests.integration.jf_remote_kit import (
    DECK_NAME,
    PASSWORD,
    USER,
    Cast,
    EventsTap,
    add_playable_album,
    download_album,
    player,
    wait_player,
)
from tests.polling import until_sync
from tests.tones import find_frames, read_wav, wav_bytes, write_tone_parts

pytestmark = [pytest.mark.slow, pytest.mark.mpv]

FRAMES = [30_011, 34_877, 52_919, 48_611]  # about a second each, cut on no round number
RATE = 44_100


@pytest.fixture
def parts(tmp_path: Path) -> tuple[list[bytes], list[int]]:
    (tmp_path / "tones").mkdir()
    paths, whole = write_tone_parts(tmp_path / "tones", FRAMES)
    return [p.read_bytes() for p in paths], list(whole)


@pytest.mark.parametrize("downloaded", [True, False], ids=["local copy", "stream"])
def test_cast_an_album_at_start_index_2_plays_the_third_track_gaplessly(
    tmp_path: Path, parts: tuple[list[bytes], list[int]], downloaded: bool
) -> None:
    payloads, whole = parts
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    tracks = add_playable_album(fake, "Tones", payloads, [f / RATE for f in FRAMES])
    out = tmp_path / "rendered.wav"
    with serving(fake) as server:
        deck = deck_with(tmp_path / "deck", server, USER, PASSWORD,
                         audio={"output": f"pcm:{out}", "volume": 100},
                         cache={"policy": "seed", "queue_precache_enabled": False,
                                "album_affinity_enabled": False,
                                # the server's own stream (tests/integration/test_stream_through
                                # plays through the cache)
                                "stream_through": False})  # fmt: skip
        with deck:
            deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] == 1, timeout=20)
            if downloaded:
                download_album(deck, tracks[0].album_id, len(tracks))
            cast = Cast.find(server)
            tap = EventsTap(deck.base_url)  # mpv renders faster than real time: watch every change
            try:
                cast.app.play(cast.session_id, [tracks[0].album_id], start_index=2)
                deck.wait_until(lambda: ended_after(tap, tracks[3].id), timeout=30)
            finally:
                tap.close()
            source, method = ("local", "DirectPlay") if downloaded else ("stream", "DirectStream")
            heard = [p for p in played(tap, tracks[2].id) if p["state"] == "playing"]
            assert heard and all(
                p["playing_from"] == source and p["queue_index"] == 2 for p in heard
            )
            assert not played(tap, tracks[0].id) and not played(tap, tracks[1].id)
            start = next(b for path, b in fake.reports if path == "/Sessions/Playing")
            assert start["ItemId"] == tracks[2].id and start["PlayMethod"] == method
        streamed = {path.split("/")[2] for _m, path in fake.requests if path.startswith("/Audio/")}
        assert streamed == (set() if downloaded else {tracks[2].id, tracks[3].id})
    pcm = read_wav(out)
    assert (pcm.rate, pcm.channels) == (RATE, 2)
    third_at = sum(FRAMES[:2]) * 2  # where track 3 starts in the uncut tone (samples)
    offset = find_frames(pcm, _samples(whole[third_at:]))
    assert offset is not None, "the third track is not in what mpv rendered"
    rendered = pcm.samples[offset * 2 : offset * 2 + len(whole) - third_at]
    assert list(rendered) == whole[third_at:], "tracks 3 and 4 do not join sample for sample"
    # Nothing else was heard: tracks 1 and 2 never played, and nothing was inserted at the join.
    assert not any(pcm.samples[: offset * 2])
    assert not any(pcm.samples[offset * 2 + len(rendered) :])


def players(tap: EventsTap) -> list[dict[str, Any]]:
    return [m["player"] for m in tap.of_type("player")]


def played(tap: EventsTap, item_id: str) -> list[dict[str, Any]]:
    """The Player objects the page was sent while `item_id` was the item."""
    return [p for p in players(tap) if p["item"] and p["item"]["id"] == item_id]


def ended_after(tap: EventsTap, item_id: str) -> bool:
    """The queue ended (stopped) after `item_id` played."""
    seen = players(tap)
    first = next((i for i, p in enumerate(seen) if p["item"] and p["item"]["id"] == item_id), None)
    return first is not None and any(p["state"] == "stopped" for p in seen[first:])


def _samples(values: list[int]) -> array.array[int]:
    return array.array("h", values)


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin(keepalive_timeout=3.0)
    fake.add_user(USER, PASSWORD)
    add_playable_album(fake, "Long", [wav_bytes(60.0, 330.0), wav_bytes(60.0, 440.0)], [60.0, 60.0])
    with serving(fake) as server:
        yield server


def test_server_restart_the_deck_plays_on_and_is_a_target_again(
    tmp_path: Path, jellyfin: FakeJellyfinThread
) -> None:
    fake = jellyfin.fake
    album_id = next(iter(fake.albums))
    with deck_with(tmp_path / "deck", jellyfin, USER, PASSWORD) as deck:
        deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] == 1, timeout=20)
        download_album(deck, album_id, 2)
        cast = Cast.find(jellyfin)
        cast.app.play(cast.session_id, [album_id])
        before = wait_player(deck, lambda p: p["state"] == "playing", "played")
        session = cast.fake_session()
        assert session.capability_posts == 1
        port = int(fake.url.rsplit(":", 1)[1])

        jellyfin.stop()  # the socket closes; from now on connections are refused
        refused_until = time.monotonic() + 10.0
        while time.monotonic() < refused_until:
            assert player(deck)["state"] == "playing"
            time.sleep(0.5)
        jellyfin.start(port)
        until_sync(
            lambda: cast.app.target(DECK_NAME),
            timeout=15.0,
            what="not a cast target within 15 s of the restart",
        )
        assert session.capability_posts >= 2  # posted again: the server had forgotten them
        now = player(deck)
        assert now["state"] == "playing" and now["position"] > before["position"] + 9.0

        time.sleep(7.0)  # more than twice the fake's 3 s patience, connected
        assert cast.app.target(DECK_NAME) is not None
    assert session.device_id not in fake.hub.drops  # never silent long enough to be dropped
    assert fake.legacy_attempts == []
