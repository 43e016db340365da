"""The one gate on the real service (issue 12, acceptance 2; issue 13, items 2 and 3): the storage
limit and `min_free_bytes` hold for automatic downloads, the floor for a person's too, a disk-full
wait clears by itself once space is freed (also across a restart), and `max_concurrent_downloads
= 1` never lets two transfers run at once. A full disk is a real one: a 40 MB tmpfs."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.jellyfin import FakeJellyfin
from tests.integration.jellyfin_thread import FakeJellyfinThread, deck_with, serving
from tests.integration.service import ServiceProcess

USER, PASSWORD = "kitchen", "secret"
MB = 1_000_000
WAIT = 30.0
QUIET = 3.0  # seconds in which a download the gate let through would have started


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    with serving(fake) as server:
        yield server


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 40 MB filesystem of its own for the cache directory (a small, real card)."""
    where = tmp_path / "deck" / "cache"
    where.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def deck(tmp_path: Path, jellyfin: FakeJellyfinThread, **cache: Any) -> ServiceProcess:
    return deck_with(tmp_path / "deck", jellyfin, USER, PASSWORD, cache=cache)


def album(deck: ServiceProcess, title: str) -> str:
    """The service's id of an album, once its library shows it."""

    def find() -> str | None:
        items = deck.api("GET", "/library/albums?limit=100")["items"]
        return next((a["id"] for a in items if a["title"] == title), None)

    return deck.wait_until(find, WAIT)


def add_album(fake: FakeJellyfin, title: str, sizes: list[int]) -> set[str]:
    """Add an album to the server; returns its track ids."""
    _album, tracks = fake.add_album(title, sizes)
    return {t.id for t in tracks}


def rows(deck: ServiceProcess, origin: str) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = deck.api("GET", f"/downloads?origin={origin}&limit=100")[
        "downloads"
    ]
    return got


def all_completed(deck: ServiceProcess, origin: str, count: int) -> bool:
    done = [d for d in rows(deck, origin) if d["status"] == "completed"]
    return len(done) == count


def served(fake: FakeJellyfin, ids: set[str]) -> int:
    return sum(r.bytes_sent for r in fake.downloads if r.item_id in ids)


def test_storage_limit_of_the_pins_plus_500_kb_starts_no_automatic_download(
    tmp_path: Path, jellyfin: FakeJellyfinThread
) -> None:
    fake = jellyfin.fake
    add_album(fake, "Pinned", [2 * MB, 2 * MB])
    queued_ids = add_album(fake, "Queued", [MB, MB, MB])
    with deck(tmp_path, jellyfin, storage_limit=4 * MB + 500_000) as service:
        pinned, queued = album(service, "Pinned"), album(service, "Queued")
        service.api("POST", "/downloads/album", {"album_id": pinned})
        service.wait_until(lambda: all_completed(service, "user", 2), WAIT)
        service.api("POST", "/queue", {"album_id": queued, "mode": "replace"})
        time.sleep(QUIET)
        assert served(fake, queued_ids) == 0
        assert all(d["status"] not in ("downloading", "completed") for d in rows(service, "auto"))

        # room again: the same queue now downloads (the gate, not something else, held it)
        service.api("PATCH", "/cache/config", {"storage_limit": 10 * 4 * MB})
        service.wait_until(lambda: all_completed(service, "auto", 3), WAIT)


def test_the_free_space_floor_holds_a_persons_and_automatic_downloads(
    tmp_path: Path, jellyfin: FakeJellyfinThread, tmpfs: Path
) -> None:
    fake = jellyfin.fake
    add_album(fake, "Big", [9 * MB] * 4)
    next_ids = add_album(fake, "Next", [5 * MB] * 2)
    floor = 10 * MB
    with deck(tmp_path, jellyfin, min_free_bytes=floor, storage_limit=10**12) as service:
        big, nxt = album(service, "Big"), album(service, "Next")
        service.api("POST", "/downloads/album", {"album_id": big})
        service.wait_until(lambda: all_completed(service, "user", 3), WAIT)
        time.sleep(QUIET)
        assert len([d for d in rows(service, "user") if d["status"] == "completed"]) == 3
        (waiting,) = [d for d in rows(service, "user") if d["status"] != "completed"]
        assert waiting["status"] == "pending" and waiting["wait_reason"] == "disk almost full"
        assert shutil.disk_usage(tmpfs).free >= floor  # the fourth would have gone below it
        service.api("POST", "/queue", {"album_id": nxt, "mode": "replace"})
        time.sleep(QUIET)
        assert served(fake, next_ids) == 0
        assert shutil.disk_usage(tmpfs).free >= floor

        # The floor lifted with the queue in place: the person's fourth file comes first, and the
        # pre-cacher's copies of "Next" never take the last 13 MB it needs (one fits after it).
        service.api("PATCH", "/cache/config", {"min_free_bytes": 0})
        service.wait_until(lambda: all_completed(service, "user", 4), WAIT)
        order = [r.item_id for r in fake.downloads]
        assert all(
            n > order.index(waiting["item_id"]) for n, i in enumerate(order) if i in next_ids
        )


def fill(where: Path) -> Path:
    """Write a file until the filesystem is full; returns it."""
    filler = where / "filler.bin"
    block = b"\0" * (256 * 1024)
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(block)
                fh.flush()
        except OSError:
            pass
    return filler


def test_a_disk_full_wait_clears_by_itself_once_space_is_freed(
    tmp_path: Path, jellyfin: FakeJellyfinThread, tmpfs: Path
) -> None:
    fake = jellyfin.fake
    add_album(fake, "Slow", [8 * MB])
    fake.rate = 2 * MB  # bytes/s: the disk fills while the transfer runs
    with deck(tmp_path, jellyfin, min_free_bytes=0, storage_limit=10**12) as service:
        slow = album(service, "Slow")
        (row,) = service.api("POST", "/downloads/album", {"album_id": slow})["downloads"]
        service.wait_until(lambda: service.api("GET", f"/downloads/{row['id']}")[
            "bytes_downloaded"] > MB, WAIT)  # fmt: skip
        filler = fill(tmpfs)
        paused = service.wait_until(
            lambda: (
                (d := service.api("GET", f"/downloads/{row['id']}"))["status"] == "paused" and d
            ),
            WAIT,
        )
        assert paused["wait_reason"] == "disk full"

        service.restart()  # the disk still full: the download waits, it does not fail
        time.sleep(QUIET)
        assert service.api("GET", f"/downloads/{row['id']}")["status"] in ("paused", "pending")

        filler.unlink()
        fake.rate = None
        done = service.wait_until(
            lambda: (
                (d := service.api("GET", f"/downloads/{row['id']}"))["status"] == "completed" and d
            ),
            WAIT,
        )
        assert done["bytes_downloaded"] == 8 * MB
        biggest = max((p for p in tmpfs.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
        assert biggest.stat().st_size == 8 * MB and not biggest.name.endswith(".part")


def test_max_concurrent_downloads_one_never_runs_two_transfers_at_once(
    tmp_path: Path, jellyfin: FakeJellyfinThread
) -> None:
    fake = jellyfin.fake
    add_album(fake, "Mine", [MB] * 3)
    add_album(fake, "Queue", [MB] * 3)
    fake.rate = 4 * MB  # each transfer lasts a while: overlaps would show
    with deck(tmp_path, jellyfin, max_concurrent_downloads=1) as service:
        mine, queue = album(service, "Mine"), album(service, "Queue")
        service.api("POST", "/queue", {"album_id": queue, "mode": "replace"})
        service.api("POST", "/downloads/album", {"album_id": mine})
        service.wait_until(lambda: all_completed(service, "user", 3), WAIT)
        service.wait_until(lambda: all_completed(service, "auto", 3), WAIT)
    assert fake.transfers.most == 1
