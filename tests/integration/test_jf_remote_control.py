"""Issue 16, acceptance 2, 4 and 5, on the real service (real mpv, null output) and the fake Jellyfin.

An app casts an album, then uses its remote: play next / add to queue, the transport, volume and
mute, repeat and shuffle; after each, the deck's state changes and its next report to the server
says so, with the whole queue as NowPlayingQueue. Then the server sends what a careless or hostile
server might (bad JSON, unknown types, unknown ids, impossible seeks, a volume of "abc"): all of it
is logged and ignored, the deck keeps playing and stays a cast target, and the phone page hears of
what a person should know. No request ever uses legacy auth.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.jellyfin import FakeJellyfin, FakeTrack
from tests.integration.jellyfin_thread import FakeJellyfinThread, deck_with, serving
from tests.integration.jf_remote_kit import (
    PASSWORD,
    USER,
    Cast,
    EventsTap,
    add_playable_album,
    player,
    report_after,
    wait_player,
)
from tests.integration.service import ServiceProcess
from tests.tones import wav_bytes

pytestmark = [pytest.mark.slow, pytest.mark.mpv]

SECONDS = 30.0
TICKS = 10_000_000


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin(keepalive_timeout=4.0)
    fake.add_user(USER, PASSWORD)
    add_playable_album(
        fake, "Harbour", [wav_bytes(SECONDS, 220.0 + 40 * i) for i in range(4)], [SECONDS] * 4
    )
    add_playable_album(
        fake, "Extras", [wav_bytes(SECONDS, 700.0), wav_bytes(SECONDS, 900.0)], [SECONDS] * 2
    )
    with serving(fake) as server:
        yield server


@pytest.fixture
def deck(tmp_path: Path, jellyfin: FakeJellyfinThread) -> Iterator[ServiceProcess]:
    with deck_with(tmp_path / "deck", jellyfin, USER, PASSWORD) as service:
        yield service


def album(fake: FakeJellyfin, name: str) -> list[FakeTrack]:
    album_id = next(a.id for a in fake.albums.values() if a.name == name)
    return sorted(
        (t for t in fake.tracks.values() if t.album_id == album_id), key=lambda t: t.index or 0
    )


def queue_ids(deck: ServiceProcess) -> list[tuple[str, str]]:
    """(entry id, item id) of every queue entry, in order."""
    return [(e["entry_id"], e["item"]["id"]) for e in deck.api("GET", "/queue")["entries"]]


def as_now_playing(entries: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"Id": item, "PlaylistItemId": entry} for entry, item in entries]


def command_then_report(cast: Cast, act: Any, check: Any, what: str) -> dict[str, Any]:
    seen = len(cast.reports())
    act()
    return report_after(cast, seen, check, what)


def test_the_remote_drives_the_deck_and_reports_are_live(
    deck: ServiceProcess, jellyfin: FakeJellyfinThread
) -> None:
    fake = jellyfin.fake
    harbour, extras = album(fake, "Harbour"), album(fake, "Extras")
    cast = Cast.find(jellyfin)
    sid = cast.session_id

    cast.app.play(sid, [harbour[0].album_id])  # the app sends the album; the server expands it
    now = wait_player(deck, lambda p: p["state"] == "playing" and p["item"], "played the album")
    assert now["item"]["id"] == harbour[0].id
    start = report_after(cast, 0, lambda b: b.get("ItemId") == harbour[0].id, "of the cast")
    assert start["NowPlayingQueue"] == as_now_playing(queue_ids(deck))
    assert start["PlaylistItemId"] == queue_ids(deck)[0][0]

    # "play next" goes right after the current track, "add to queue" at the end (jellyfin-web).
    cast.app.play(sid, [extras[0].id], "PlayNext")
    cast.app.play(sid, [extras[1].id], "PlayLast")
    want = [harbour[0].id, extras[0].id, *[t.id for t in harbour[1:]], extras[1].id]
    entries = poll_queue(deck, want)
    report = report_after(
        cast, 0, lambda b: len(b.get("NowPlayingQueue", [])) == len(want), "of the whole queue"
    )
    assert report["NowPlayingQueue"] == as_now_playing(entries)

    paused = command_then_report(
        cast,
        lambda: cast.app.playstate(sid, "Pause"),
        lambda b: b.get("IsPaused") is True,
        "paused",
    )
    assert player(deck)["state"] == "paused" and paused["NowPlayingQueue"] == as_now_playing(
        entries
    )
    command_then_report(
        cast,
        lambda: cast.app.playstate(sid, "Unpause"),
        lambda b: b.get("IsPaused") is False,
        "resumed",
    )
    command_then_report(
        cast,
        lambda: cast.app.playstate(sid, "PlayPause"),
        lambda b: b.get("IsPaused") is True,
        "toggled",
    )
    assert player(deck)["state"] == "paused"
    command_then_report(
        cast,
        lambda: cast.app.playstate(sid, "PlayPause"),
        lambda b: b.get("IsPaused") is False,
        "toggled back",
    )
    assert player(deck)["state"] == "playing"

    sought = command_then_report(cast, lambda: cast.app.playstate(sid, "Seek", seek_seconds=12.0),
                                 lambda b: b.get("PositionTicks", 0) >= 12 * TICKS, "at the seek")  # fmt: skip
    assert sought["ItemId"] == harbour[0].id and 12.0 <= player(deck)["position"] < 20.0

    command_then_report(
        cast,
        lambda: cast.app.playstate(sid, "NextTrack"),
        lambda b: b.get("ItemId") == extras[0].id,
        "of the next track",
    )
    assert player(deck)["item"]["id"] == extras[0].id and player(deck)["queue_index"] == 1
    command_then_report(
        cast,
        lambda: cast.app.playstate(sid, "PreviousTrack"),
        lambda b: b.get("ItemId") == harbour[0].id,
        "of the previous track",
    )
    assert player(deck)["queue_index"] == 0

    loud = command_then_report(
        cast,
        lambda: cast.app.command(sid, "SetVolume", Volume=35),
        lambda b: b.get("VolumeLevel") == 35,
        "of the volume",
    )
    assert player(deck)["volume"] == 35 and loud["NowPlayingQueue"] == as_now_playing(entries)
    command_then_report(
        cast,
        lambda: cast.app.command(sid, "ToggleMute"),
        lambda b: b.get("IsMuted") is True,
        "muted",
    )
    assert player(deck)["muted"] is True
    command_then_report(
        cast,
        lambda: cast.app.command(sid, "SetRepeatMode", RepeatMode="RepeatAll"),
        lambda b: b.get("RepeatMode") == "RepeatAll",
        "of repeat",
    )
    assert player(deck)["repeat"] == "all"
    command_then_report(
        cast,
        lambda: cast.app.command(sid, "SetShuffleQueue", ShuffleMode="Shuffle"),
        lambda b: b.get("PlaybackOrder") == "Shuffle",
        "of shuffle",
    )
    assert player(deck)["shuffle"] is True

    stopped = command_then_report(
        cast, lambda: cast.app.playstate(sid, "Stop"), lambda b: "Failed" in b, "of the stop"
    )
    assert stopped["ItemId"] == harbour[0].id and player(deck)["state"] == "stopped"
    assert fake.legacy_attempts == []  # acceptance 5: not one request used api_key or X-Emby-*


def poll_queue(deck: ServiceProcess, want: list[str]) -> list[tuple[str, str]]:
    def matching() -> list[tuple[str, str]] | None:
        entries = queue_ids(deck)
        return entries if [item for _e, item in entries] == want else None

    return deck.wait_until(matching)


def test_bad_messages_are_ignored_and_people_hear_what_matters(
    deck: ServiceProcess, jellyfin: FakeJellyfinThread
) -> None:
    harbour = album(jellyfin.fake, "Harbour")
    cast = Cast.find(jellyfin)
    sid = cast.session_id
    tap = EventsTap(deck.base_url)
    try:
        cast.app.play(sid, [harbour[0].album_id], start_index=1)
        wait_player(
            deck, lambda p: p["state"] == "playing" and p["item"]["id"] == harbour[1].id, "played"
        )
        for text in ("{not json", "[]", '{"MessageType": "Bogus", "Data": 1}', '{"MessageType": "Play"}',
                     '{"MessageType": "Play", "Data": {"ItemIds": ["' + "f" * 32 + '"], "PlayCommand": "PlayNow"}}',
                     '{"MessageType": "Playstate", "Data": {"Command": "Seek", "SeekPositionTicks": -50}}',
                     '{"MessageType": "Playstate", "Data": {"Command": "Seek", "SeekPositionTicks": ' + str(10_000 * TICKS) + "}}",
                     '{"MessageType": "GeneralCommand", "Data": {"Name": "SetVolume", "Arguments": {"Volume": "abc"}}}'):  # fmt: skip
            cast.send_raw(text)
        cast.app.message(sid, "Kitchen", "Dinner is ready")
        deck.wait_until(lambda: tap.of_type("message"))
        assert tap.of_type("message")[0]["text"] == "Kitchen: Dinner is ready"
        deck.wait_until(lambda: tap.of_type("error"))
        assert tap.of_type("error")[0]["error"]["code"] == "not_found"  # the cast of unknown ids
        now = player(deck)
        assert now["state"] == "playing" and now["item"]["id"] == harbour[1].id  # nothing moved
        assert now["position"] < SECONDS and now["volume"] == 70
        assert deck.running and cast.app.target("Test Deck") is not None  # still a cast target
        log = deck.log_path.read_text(encoding="utf-8")
        assert log.count("ignored a Jellyfin socket message") >= 5 and "Traceback" not in log
        assert "past the track's end" in log
    finally:
        tap.close()
    assert jellyfin.fake.legacy_attempts == []
