"""Issue 21, acceptance 5 on the real service and real mpv: a Jellyfin playlist (served by the fake
from /Playlists/{id}/Items) and a local .m3u list, play in their order and download; the artists
of both sources list with their albums, and search finds one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.jellyfin import FakeJellyfin
from tests.integration.browser.music import Song, write_song
from tests.integration.jellyfin_thread import FakeJellyfinThread, deck_with, serving
from tests.integration.service import ServiceProcess
from tests.tones import wav_bytes

pytestmark = [pytest.mark.slow, pytest.mark.mpv]

USER, PASSWORD = "kitchen", "secret"
QUIET = {"policy": "seed", "queue_precache_enabled": False, "album_affinity_enabled": False}


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    album, _ = fake.add_album("Night Shift", [], artists=("The Late Ones",))
    ids = []
    for number, freq in enumerate([300.0, 500.0, 700.0], start=1):
        payload = wav_bytes(8.0, freq)
        track = fake.add_track(
            f"Hour {number}", album.id, len(payload), index=number, container="wav",
            artists=("The Late Ones",), payload=payload,
        )  # fmt: skip
        track.runtime_seconds = 8.0
        ids.append(track.id)
    fake.add_playlist("Last call", [ids[2], ids[0]])
    with serving(fake) as server:
        yield server


def _playing(deck: ServiceProcess, title: str) -> dict[str, Any] | None:
    now: dict[str, Any] = deck.api("GET", "/player")
    item = now["item"] or {}
    return now if now["state"] == "playing" and item.get("title") == title else None


def _by_name(deck: ServiceProcess) -> dict[str, dict[str, Any]]:
    page = deck.api("GET", "/library/playlists")
    return {p["name"]: p for p in page["items"]} if page["total"] == 2 else {}


def test_jellyfin_and_m3u_playlists_play_and_download(
    tmp_path: Path, jellyfin: FakeJellyfinThread
) -> None:
    deck = deck_with(tmp_path / "deck", jellyfin, USER, PASSWORD, cache=QUIET)
    music = deck.music_dir
    dawn, noon = (
        write_song(music, Song(t, "Sun", "Helios", n, 6.0)) for n, t in ((1, "Dawn"), (2, "Noon"))
    )
    (music / "lists").mkdir(parents=True)
    lines = [f"../{p.relative_to(music)}" for p in (noon, dawn)] + ["../../x.wav"]
    (music / "lists" / "day.m3u").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with deck:
        found = deck.wait_until(lambda: _by_name(deck), 30)
        remote, local = found["Last call"], found["day"]
        assert (remote["source"], remote["track_count"]) == ("jellyfin", 2)
        assert (local["source"], local["track_count"], local["skipped"]) == ("local", 2, 1)
        entries = deck.api("GET", f"/library/playlists/{remote['id']}")["entries"]
        assert [t["title"] for t in entries] == ["Hour 3", "Hour 1"]

        deck.api("POST", "/queue", {"playlist_id": remote["id"], "mode": "replace", "play": True})
        assert deck.wait_until(lambda: _playing(deck, "Hour 3"), 20)["playing_from"] == "stream"
        status, batch = deck.request(
            "POST", "/api/v1/downloads/playlist", {"playlist_id": remote["id"]}
        )
        assert status == 201 and [d["title"] for d in batch["downloads"]] == ["Hour 3", "Hour 1"]
        for row in batch["downloads"]:
            deck.wait_until(
                lambda r=row: deck.api("GET", f"/downloads/{r['id']}")["status"] == "completed", 30
            )
        detail = deck.api("GET", f"/library/playlists/{remote['id']}")
        assert detail["available_offline"] == "full"

        deck.api("POST", "/queue", {"playlist_id": local["id"], "mode": "replace", "play": True})
        assert deck.wait_until(lambda: _playing(deck, "Noon"), 20)["playing_from"] == "local"
        queue = deck.api("GET", "/queue")
        assert [e["item"]["title"] for e in queue["entries"]] == ["Noon", "Dawn"]

        artists = {a["name"]: a for a in deck.api("GET", "/library/artists")["items"]}
        assert {n: a["source"] for n, a in artists.items()} == {
            "Helios": "local",
            "The Late Ones": "jellyfin",
        }
        late = deck.api("GET", f"/library/artists/{artists['The Late Ones']['id']}")
        assert [a["title"] for a in late["albums"]] == ["Night Shift"]
        assert [a["name"] for a in deck.api("GET", "/library/search?q=late")["artists"]] == [
            "The Late Ones"
        ]
