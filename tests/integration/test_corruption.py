"""Issue 13 item 4, acceptance 4: the corruption matrix on the real service.

One service downloads an album from the fake Jellyfin, queues it and stops; each case copies that
device's folders, damages one thing (a database truncated to nothing or to half, its header or a
page garbled, a schema from a future version; a media file garbled at the same size) and starts
the service on the copy. Every case must come up (READY: /health answers) within 10 s, keep every
valid media file, fetch the damaged one again, and say in the log and on /health what it repaired.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from cache.downloads.paths import absolute, relative_media_path
from tests.fakes.jellyfin import FakeJellyfin, FakeTrack
from tests.integration.jellyfin_thread import FakeJellyfinThread, deck_with, serving
from tests.integration.service import ServiceProcess

pytestmark = [pytest.mark.slow, pytest.mark.mpv]

USER, PASSWORD = "kitchen", "secret"
SIZES = [300_000, 200_000]
READY_WITHIN = 10.0


@pytest.fixture(scope="module")
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    fake.add_album("Sturdy", SIZES, artists=("The Repairs",))
    with serving(fake) as server:
        yield server


def new_deck(root: Path, server: FakeJellyfinThread) -> ServiceProcess:
    return deck_with(root, server, USER, PASSWORD)


def media_path(root: Path, track: FakeTrack) -> Path:
    rel = relative_media_path("jellyfin", track.id, track.container)
    return absolute(root / "cache", rel)


def hashes_recorded(db: Path) -> int:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM file_hashes").fetchone()[0])


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory, jellyfin: FakeJellyfinThread) -> Path:
    """A device that downloaded the album, hashed both files and saved a queue, then stopped."""
    root = tmp_path_factory.mktemp("golden") / "deck"
    deck = new_deck(root, jellyfin)
    with deck:
        album = deck.wait_until(lambda: deck.api("GET", "/library/albums")["items"], 15)[0]
        deck.api("POST", "/downloads/album", {"album_id": album["id"]})
        deck.wait_until(lambda: deck.api("GET", "/downloads?status=completed")["total"] == 2, 20)
        deck.wait_until(lambda: hashes_recorded(deck.state_dir / "cache.db") == 2, 10)
        deck.api("POST", "/queue", {"album_id": album["id"], "mode": "replace", "play": False})
    for name in ("cache.db", "player.db"):
        fold_wal(deck.state_dir / name)
    return root


def fold_wal(db: Path) -> None:
    """Move everything into the main file, so the damage below hits the data, not a stale copy."""
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        conn.execute("PRAGMA journal_mode=DELETE").fetchall()
    assert not db.with_name(db.name + "-wal").exists()


def tracks(server: FakeJellyfinThread) -> list[FakeTrack]:
    return sorted(server.fake.tracks.values(), key=lambda t: t.index or 0)


# --- the damage ---------------------------------------------------------------------------------


def truncate_to_zero(path: Path) -> None:
    path.write_bytes(b"")


def truncate_to_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def garble_header(path: Path) -> None:
    with path.open("r+b") as f:
        f.write(b"this is not what SQLite wrote!!!" * 3)


def garble_page(path: Path) -> None:
    """Overwrite the second page (a table's root in these small files) with noise."""
    with path.open("r+b") as f:
        page = int.from_bytes(f.read(18)[16:18], "big") or 65536
        f.seek(page)
        f.write(bytes((i * 7919) % 251 for i in range(page)))


def future_schema(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 99")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated_to_zero": truncate_to_zero,
    "truncated_to_half": truncate_to_half,
    "header_garbled": garble_header,
    "page_garbled": garble_page,
    "future_schema": future_schema,
}
CASES = [(db, name) for db in ("cache.db", "player.db") for name in DAMAGE]


def copy_of(golden: Path, tmp_path: Path) -> Path:
    root = tmp_path / "deck"
    shutil.copytree(golden, root)
    (root / "service.log").unlink(missing_ok=True)
    return root


def started(root: Path, server: FakeJellyfinThread) -> ServiceProcess:
    deck = new_deck(root, server)
    deck.start_timeout = READY_WITHIN
    return deck.start()


def repaired(deck: ServiceProcess) -> list[dict[str, Any]]:
    health = deck.api("GET", "/health")
    assert health["status"] == "ok"
    found: list[dict[str, Any]] = health["repairs"]
    return found


def assert_files_intact(root: Path, server: FakeJellyfinThread) -> None:
    for track in tracks(server):
        assert media_path(root, track).read_bytes() == track.data(), track.name


@pytest.mark.parametrize(("database", "damage"), CASES, ids=[f"{d}-{n}" for d, n in CASES])
def test_damaged_database_is_moved_aside_and_rebuilt(
    golden: Path, tmp_path: Path, jellyfin: FakeJellyfinThread, database: str, damage: str
) -> None:
    root = copy_of(golden, tmp_path)
    DAMAGE[damage](root / "state" / database)
    served = len(jellyfin.fake.downloads)
    deck = started(root, jellyfin)
    try:
        assert database in {r["what"] for r in repaired(deck)}
        assert f"{database} was damaged" in deck.log_path.read_text()
        kept = list((root / "state").glob(f"{database}.damaged-*"))
        assert kept, "the damaged file is kept for a person to look at"
        # Rebuilt from what is on disk and the server: both files are offline copies again...
        downloads = deck.wait_until(
            lambda: deck.api("GET", "/downloads?status=completed")["total"] == 2, 10
        )
        assert downloads
        assert deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] == 1, 15)
        assert_files_intact(root, jellyfin)
        assert len(jellyfin.fake.downloads) == served, "no valid file is fetched again"
    finally:
        deck.stop()
    assert deck.process is not None and deck.process.returncode == 0


def test_media_file_garbled_at_the_same_size_is_downloaded_again(
    golden: Path, tmp_path: Path, jellyfin: FakeJellyfinThread
) -> None:
    root = copy_of(golden, tmp_path)
    good, bad = tracks(jellyfin)
    damaged = media_path(root, bad)
    data = bytearray(damaged.read_bytes())
    data[5000:5100] = bytes(100)
    damaged.write_bytes(bytes(data))
    deck = started(root, jellyfin)
    try:
        # the file is away while it is fetched again (a .part until complete)
        deck.wait_until(lambda: damaged.is_file() and damaged.read_bytes() == bad.data(), 15)
        rel = damaged.relative_to(root / "cache").as_posix()
        found = deck.wait_until(lambda: [r for r in repaired(deck) if r["what"] == rel], 5)
        assert "hash mismatch" in found[0]["problem"]
        assert "hash mismatch" in deck.log_path.read_text()
        assert media_path(root, good).read_bytes() == good.data()
        assert deck.api("GET", "/downloads?status=completed")["total"] == 2
    finally:
        deck.stop()
