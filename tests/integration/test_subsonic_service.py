"""Issue 17 on the real service.

Acceptance 2 (real supysonic): plays are scrobbled, and plays made while supysonic was stopped are
scrobbled once, with their real times, when it is back. supysonic keeps no record of a scrobble in
its database (`api/annotation.py` only forwards it), so its ListenBrainz forwarding is pointed at a
recorder on 127.0.0.1 and the user's token is set in supysonic's own database.
Acceptance 3 (the fake): wrong credentials are `unauthorized` in /health and one log line, and the
service keeps running; a server refusing token auth is used with the `enc:` password.
Acceptance 4: Jellyfin (fake) and supysonic together: both browse, search finds both, and the
pre-cacher downloads from each for a mixed queue.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.subsonic import FakeSubsonic
from tests.integration.jellyfin_thread import FakeJellyfinThread, serving
from tests.integration.service import ServiceProcess
from tests.integration.supysonic import Supysonic, supysonic_bin
from tests.integration.test_subsonic_supysonic import PASSWORD, USER, subsonic_deck

pytestmark = [pytest.mark.slow]
needs_supysonic = pytest.mark.skipif(supysonic_bin() is None, reason="no .venv-supysonic")


class ListenRecorder:
    """Stands in for ListenBrainz: keeps every listen supysonic forwards."""

    def __init__(self) -> None:
        self.listens: list[dict[str, Any]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if body.get("listen_type") == "single":
                    recorder.listens += body["payload"]
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": "ok"}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(10)

    def titles_and_times(self) -> list[tuple[str, int]]:
        return [(x["track_metadata"]["track_name"], x["listened_at"]) for x in self.listens]


def playing(deck: ServiceProcess, title: str) -> dict[str, Any] | None:
    player: dict[str, Any] = deck.api("GET", "/player")
    item = player["item"] or {}
    return player if player["state"] == "playing" and item.get("title") == title else None


def completed(deck: ServiceProcess, count: int) -> bool:
    rows = deck.api("GET", "/downloads?status=completed&limit=100")["downloads"]
    return len(rows) >= count


@needs_supysonic
@pytest.mark.mpv
def test_plays_are_scrobbled_and_offline_ones_later_with_their_times(tmp_path: Path) -> None:
    recorder = ListenRecorder()
    server = Supysonic(tmp_path / "supysonic", listenbrainz_url=recorder.url)
    titles = ["First Light", "Second Wind", "Third Rail"]
    for n, title in enumerate(titles, 1):
        server.add_track("The Band", "Scrobbles", n, title, seconds=1.5)
    server.setup(USER, PASSWORD)
    server.execute("UPDATE user SET listenbrainz_session = ? WHERE name = ?", ("tok-1", USER))
    server.start()
    deck = subsonic_deck(tmp_path / "deck", server.url, network={"interval": 0.5, "debounce": 0.2})
    try:
        deck.start()
        deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] == 1, timeout=30)
        album = deck.api("GET", "/library/albums")["items"][0]
        deck.api("POST", "/downloads/album", {"album_id": album["id"]})
        deck.wait_until(lambda: completed(deck, 3), timeout=30)

        server.stop()  # the whole album is played while the server is away
        away = time.time()
        deck.api("POST", "/queue", {"album_id": album["id"], "mode": "replace", "play": True})
        deck.wait_until(lambda: playing(deck, "Third Rail"), timeout=20)
        deck.wait_until(lambda: deck.api("GET", "/player")["state"] == "stopped", timeout=20)
        back = time.time()
        assert recorder.listens == []

        server.start()
        deck.wait_until(lambda: len(recorder.listens) == 3, timeout=30)
        heard = recorder.titles_and_times()
        assert [t for t, _ in heard] == titles
        assert all(away - 0.5 <= at <= back for _, at in heard), (heard, away, back)
        assert heard[0][1] < heard[1][1] < heard[2][1]  # their own start times, not the send time

        live = time.time()
        deck.api("POST", "/queue", {"album_id": album["id"], "mode": "replace", "play": True})
        deck.wait_until(lambda: len(recorder.listens) >= 4, timeout=20)
        assert recorder.titles_and_times()[3][0] == "First Light"
        assert live - 0.5 <= recorder.titles_and_times()[3][1] <= time.time()
        deck.wait_until(lambda: deck.api("GET", "/player")["state"] == "stopped", timeout=20)
        time.sleep(2.0)
        assert len(recorder.listens) == 6  # each play once
    finally:
        deck.stop()
        server.stop()
        recorder.close()


@pytest.fixture
def fake_subsonic() -> Iterator[FakeJellyfinThread]:
    fake = FakeSubsonic(token_auth=False, token_error=41)
    fake.users[USER] = PASSWORD
    fake.add_album("Harbour Lights", "The Band", ["Breakwater", "Lanterns"])
    with serving(fake) as server:  # the thread serves any fake with start/close
        yield server


def test_wrong_credentials_are_unauthorized_and_no_crash_loop(
    tmp_path: Path, fake_subsonic: FakeJellyfinThread
) -> None:
    fake: FakeSubsonic = fake_subsonic.fake
    deck = subsonic_deck(tmp_path / "deck", fake.url, subsonic={"password": "not it"})
    with deck:
        error = deck.wait_until(lambda: subsonic_status(deck)["error"], timeout=20)
        assert error["code"] == "unauthorized"
        assert "Wrong username or password (40)" in error["message"]
        time.sleep(1.0)
        assert deck.running and deck.starts == 1
        assert deck.log_tail(200).count("Subsonic catalogue not refreshed") == 1
        assert "not it" not in deck.log_tail(200)
        assert deck.api("GET", "/library/albums")["total"] == 0


def test_a_server_refusing_tokens_is_used_with_the_enc_password(
    tmp_path: Path, fake_subsonic: FakeJellyfinThread
) -> None:
    fake: FakeSubsonic = fake_subsonic.fake
    with subsonic_deck(tmp_path / "deck", fake.url) as deck:
        deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] == 1, timeout=20)
        assert subsonic_status(deck)["error"] is None
    calls = [c for c in fake_subsonic.call(lambda: list(fake.calls)) if "u" in c[1]]  # no probes
    assert "t" in calls[0][1] and calls[0][0] == "ping"
    assert [m for m, _ in calls[1:3]] == ["ping", "getAlbumList2"]
    assert all(p["p"] == ["enc:" + PASSWORD.encode().hex()] for _, p in calls[1:])


def subsonic_status(deck: ServiceProcess) -> dict[str, Any]:
    status, health = deck.request("GET", "/api/v1/health")
    assert status == 200, health
    (source,) = [s for s in health["sources"] if s["name"] == "subsonic"]
    return dict(source)


def by_source(deck: ServiceProcess) -> dict[str, set[str]]:
    rows = deck.api("GET", "/downloads?origin=auto&status=completed&limit=100")["downloads"]
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["source"], set()).add(row["item_id"])
    return found


@needs_supysonic
def test_jellyfin_and_supysonic_together(tmp_path: Path) -> None:
    jf = FakeJellyfin()
    jf.add_user(USER, PASSWORD)
    jf.add_album("Harbour Lights", [3000, 4000], artists=("Jelly Band",))
    supy = Supysonic(tmp_path / "supysonic")
    supy.add_track("Sonic Band", "Night Drive", 1, "Song of the Road", seconds=1.0)
    supy.add_track("Sonic Band", "Night Drive", 2, "Overpass", seconds=1.0)
    supy.setup(USER, PASSWORD)
    supy.start()
    with serving(jf):
        jellyfin_keys = {"url": jf.url, "username": USER, "password": PASSWORD}
        deck = subsonic_deck(tmp_path / "deck", supy.url, jellyfin=jellyfin_keys)
        try:
            deck.start()
            deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] == 2, timeout=30)
            albums = {a["title"]: a for a in deck.api("GET", "/library/albums")["items"]}
            tracks = {
                title: deck.api("GET", f"/library/albums/{a['id']}")["tracks"]
                for title, a in albums.items()
            }
            assert {t["source"] for t in tracks["Harbour Lights"]} == {"jellyfin"}
            assert {t["source"] for t in tracks["Night Drive"]} == {"subsonic"}
            ids = [t["id"] for ts in tracks.values() for t in ts]
            assert len(set(ids)) == 4

            found = deck.api("GET", "/library/search?q=song")["tracks"]
            assert {t["source"] for t in found} == {"jellyfin", "subsonic"}

            jf_ids = [t["id"] for t in tracks["Harbour Lights"]]
            ss_ids = [t["id"] for t in tracks["Night Drive"]]
            mixed = [jf_ids[0], ss_ids[0], jf_ids[1], ss_ids[1]]
            deck.api("POST", "/queue", {"item_ids": mixed, "mode": "replace"})
            want = {"jellyfin": set(jf_ids), "subsonic": set(ss_ids)}
            deck.wait_until(lambda: by_source(deck) == want, timeout=40)
        finally:
            deck.stop()
            supy.stop()
