"""Issue 17, acceptance 1: a real supysonic as the library; an album downloads byte-identical,
a SIGKILL mid-download resumes from the partial file (a Range with a start > 0 reached supysonic),
and the album then plays from the local copies with supysonic stopped.

A throttling proxy stands in for a slow link between the two, so the kill lands mid-transfer;
it also shows the request heads that reached supysonic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cache.downloads.paths import absolute, part_path, relative_media_path
from tests.integration.service import ServiceProcess
from tests.integration.supysonic import Supysonic, supysonic_bin
from tests.integration.throttle import ThrottleProxy

pytestmark = [
    pytest.mark.slow,
    pytest.mark.mpv,
    pytest.mark.skipif(supysonic_bin() is None, reason="no .venv-supysonic (make test makes it)"),
]
USER, PASSWORD = "kitchen", "s3cret pass"
SLOW = 512 * 1024


@pytest.fixture
def supysonic(tmp_path: Path) -> Iterator[Supysonic]:
    server = Supysonic(tmp_path / "supysonic")
    server.add_track("The Slow Band", "Long Players", 1, "Wide Open", seconds=60.0, noise=True)
    server.add_track("The Slow Band", "Long Players", 2, "Coda", seconds=3.0)
    server.setup(USER, PASSWORD)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def subsonic_deck(root: Path, url: str, **tables: dict[str, Any]) -> ServiceProcess:
    extra: dict[str, dict[str, Any]] = {
        "subsonic": {"url": url, "username": USER, "password": PASSWORD},
        "library": {"demo": False},
        # The default transcode_auto asks for opus:128 copies under a 10 GB limit; supysonic as
        # the tests run it has no transcoder, so every automatic download falls back to the original.
        "cache": {"wifi_only": False},
        "downloads": {"retry_delays": [0.2, 0.5, 1.0], "stall_timeout": 10.0},
    }
    for table, keys in tables.items():
        extra.setdefault(table, {}).update(keys)
    return ServiceProcess(root, extra=extra)


def final_path(deck: ServiceProcess, track: dict[str, Any]) -> Path:
    relative = relative_media_path("subsonic", track["id"], track["container"])
    return absolute(deck.cache_dir, relative)


def row(deck: ServiceProcess, download_id: int) -> dict[str, Any]:
    found: dict[str, Any] = deck.api("GET", f"/downloads/{download_id}")
    return found


def all_completed(deck: ServiceProcess, ids: list[int]) -> bool:
    rows = [row(deck, i) for i in ids]
    assert not [r for r in rows if r["status"] == "failed"], rows
    return all(r["status"] == "completed" for r in rows)


def start_of(header: str | None) -> int:
    match = re.fullmatch(r"bytes=(\d+)-", header or "")
    return int(match.group(1)) if match else 0


def playing_locally(deck: ServiceProcess, item_id: str) -> dict[str, Any] | None:
    player: dict[str, Any] = deck.api("GET", "/player")
    if player["state"] != "playing" or (player["item"] or {}).get("id") != item_id:
        return None
    return player if float(player["position"]) > 0.3 else None


def test_supysonic_album_downloads_resumes_after_kill_and_plays_offline(
    tmp_path: Path, supysonic: Supysonic
) -> None:
    proxy = ThrottleProxy(supysonic.port)
    deck = subsonic_deck(tmp_path / "deck", proxy.start())
    try:
        deck.start()
        deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] == 1, timeout=30)
        (album,) = deck.api("GET", "/library/albums")["items"]
        assert album["title"] == "Long Players" and album["artists"] == ["The Slow Band"]
        tracks = deck.api("GET", f"/library/albums/{album['id']}")["tracks"]
        assert [t["title"] for t in tracks] == ["Wide Open", "Coda"]
        assert all(t["source"] == "subsonic" and t["container"] == "flac" for t in tracks)
        big = tracks[0]
        part = part_path(final_path(deck, big))

        proxy.rate = SLOW
        status, batch = deck.request("POST", "/api/v1/downloads/album", {"album_id": album["id"]})
        assert status == 201, batch
        ids = [d["id"] for d in batch["downloads"]]
        big_id = next(d["id"] for d in batch["downloads"] if d["item_id"] == big["id"])
        deck.wait_until(lambda: row(deck, big_id)["bytes_downloaded"] > 0 and part.is_file(), 20)
        deck.kill()
        offset = part.stat().st_size
        assert 0 < offset < big["size"], f"the kill did not land mid-transfer ({offset})"
        proxy.rate = None
        deck.start()
        deck.wait_until(lambda: all_completed(deck, ids), timeout=60)

        starts = [start_of(r) for r in proxy.ranges("/rest/download")]
        assert any(s > 0 for s in starts), f"no resume reached supysonic: {starts}"
        originals = {t.title: t.path for t in supysonic.tracks}
        for track in tracks:
            assert final_path(deck, track).read_bytes() == originals[track["title"]].read_bytes()

        supysonic.stop()
        proxy.stop()
        deck.api("POST", "/queue", {"album_id": album["id"], "mode": "replace", "play": True})
        player = deck.wait_until(lambda: playing_locally(deck, big["id"]), timeout=20)
        assert player["playing_from"] == "local", player
    finally:
        deck.stop()
        proxy.stop()


def test_a_transcode_supysonic_cannot_make_lands_as_the_original(
    tmp_path: Path, supysonic: Supysonic
) -> None:
    # supysonic as the tests run it has no transcoder: it answers `stream?format=opus` with its
    # error envelope, and the download must become one of the original file, not fail
    deck = subsonic_deck(tmp_path / "deck", supysonic.url, cache={"transcode": "opus:128"})
    with deck:
        deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] == 1, timeout=30)
        (album,) = deck.api("GET", "/library/albums")["items"]
        batch = deck.api("POST", "/downloads/album", {"album_id": album["id"]})["downloads"]
        asked = [d for d in batch if d["quality"] == "opus:128"]  # the 60 s track at least
        assert asked, batch
        ids = [d["id"] for d in batch]
        deck.wait_until(lambda: all_completed(deck, ids), timeout=60)
        tracks = deck.api("GET", f"/library/albums/{album['id']}")["tracks"]
        originals = {t.title: t.path for t in supysonic.tracks}
        for track in tracks:
            assert final_path(deck, track).read_bytes() == originals[track["title"]].read_bytes()
        assert {row(deck, i)["quality"] for i in ids} == {"original"}
        assert deck.log_tail(400).count("fetching the original instead") == len(asked)
