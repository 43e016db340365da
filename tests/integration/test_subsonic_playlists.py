"""Subsonic playlists from a real supysonic (getPlaylists, getPlaylist): listed with their entries
in the server's order, played on real mpv and downloaded like an album."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.supysonic import Supysonic, supysonic_bin
from tests.integration.test_subsonic_supysonic import PASSWORD, USER, subsonic_deck

pytestmark = [
    pytest.mark.slow,
    pytest.mark.mpv,
    pytest.mark.skipif(supysonic_bin() is None, reason="no .venv-supysonic (make test makes it)"),
]


def rest(server: Supysonic, method: str, params: list[tuple[str, str]]) -> dict[str, Any]:
    """One Subsonic call as a person's app would make it (supysonic takes the enc: password)."""
    auth = [
        ("u", USER),
        ("p", "enc:" + PASSWORD.encode().hex()),
        ("v", "1.12.0"),
        ("c", "test"),
        ("f", "json"),
    ]
    url = f"{server.url}/rest/{method}?" + urllib.parse.urlencode(auth + params)
    with urllib.request.urlopen(url, timeout=10) as resp:
        body: dict[str, Any] = json.loads(resp.read())["subsonic-response"]
    assert body["status"] == "ok", body
    return body


@pytest.fixture
def supysonic(tmp_path: Path) -> Iterator[Supysonic]:
    server = Supysonic(tmp_path / "supysonic")
    for number, title in enumerate(["Tide In", "Slack Water", "Tide Out"], start=1):
        server.add_track("The Moon", "Tables", number, title, seconds=4.0)
    server.setup(USER, PASSWORD)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_supysonic_playlists_list_play_and_download(tmp_path: Path, supysonic: Supysonic) -> None:
    albums = rest(supysonic, "getAlbumList2", [("type", "alphabeticalByName")])["albumList2"][
        "album"
    ]
    songs = {
        s["title"]: s["id"]
        for s in rest(supysonic, "getAlbum", [("id", albums[0]["id"])])["album"]["song"]
    }
    order = [songs["Tide Out"], songs["Tide In"]]
    rest(supysonic, "createPlaylist", [("name", "Ebb"), *(("songId", i) for i in order)])
    deck = subsonic_deck(tmp_path / "deck", supysonic.url)
    with deck:
        page = deck.wait_until(lambda: deck.api("GET", "/library/playlists")["items"], 30)
        assert [(p["name"], p["source"], p["track_count"]) for p in page] == [
            ("Ebb", "subsonic", 2)
        ]
        ebb = deck.api("GET", f"/library/playlists/{page[0]['id']}")
        assert [t["title"] for t in ebb["entries"]] == ["Tide Out", "Tide In"]

        deck.api("POST", "/queue", {"playlist_id": ebb["id"], "mode": "replace", "play": True})
        deck.wait_until(
            lambda: (deck.api("GET", "/player")["item"] or {}).get("title") == "Tide Out", 20
        )
        status, batch = deck.request(
            "POST", "/api/v1/downloads/playlist", {"playlist_id": ebb["id"]}
        )
        assert status == 201 and len(batch["downloads"]) == 2
        detail = f"/library/playlists/{ebb['id']}"
        deck.wait_until(lambda: deck.api("GET", detail)["available_offline"] == "full", 30)
