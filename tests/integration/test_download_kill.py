"""Issue 3, acceptance 2: SIGKILL in the middle of a large download, restart, and it resumes.

The fake Jellyfin serves a 48 MiB track throttled, so the kill lands mid-transfer once the API shows
bytes on disk. After the kill the throttle comes off and the service restarts on the same folders:
reconcile puts the row back in the queue, the job asks for `Range: bytes=<part size>-` with If-Range,
and the finished file must be the server's bytes exactly, with no more than 1 MiB fetched twice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cache.downloads.paths import absolute, part_path, relative_media_path
from tests.fakes.jellyfin import FakeJellyfin, FakeTrack
from tests.integration.jellyfin_thread import FakeJellyfinThread, deck_with, serving
from tests.integration.service import ServiceProcess

pytestmark = [pytest.mark.slow, pytest.mark.mpv]

MIB = 1024 * 1024
SIZE = 48 * MIB
# Bytes per second before the kill: the first progress mark (1 MiB) comes in under a second, the
# whole file would take half a minute, and a service starved of CPU for a moment leaves little
# in the socket buffers for the kill to throw away.
SLOW = 3 * MIB // 2
USER, PASSWORD = "kitchen", "secret"


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    fake.add_album("Long Players", [SIZE], artists=("The Slow Band",))
    with serving(fake) as server:
        yield server


@pytest.fixture
def deck(tmp_path: Path, jellyfin: FakeJellyfinThread) -> Iterator[ServiceProcess]:
    service = deck_with(
        tmp_path / "deck", jellyfin, USER, PASSWORD, downloads={"stall_timeout": 10.0}
    )
    service.start()
    try:
        yield service
    finally:
        service.stop()


def the_track(fake: FakeJellyfin) -> FakeTrack:
    (track,) = fake.tracks.values()
    return track


def final_path(deck: ServiceProcess, track: FakeTrack) -> Path:
    """Where the service keeps the finished file (derived from ids, as the service does)."""
    return absolute(deck.cache_dir, relative_media_path("jellyfin", track.id, track.container))


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(4 * MIB):
            digest.update(block)
    return digest.hexdigest()


def sha256_of_track(track: FakeTrack) -> str:
    digest = hashlib.sha256()
    for offset in range(0, track.size, 4 * MIB):
        digest.update(track.data(offset, min(4 * MIB, track.size - offset)))
    return digest.hexdigest()


def range_start(header: str | None) -> int | None:
    match = re.fullmatch(r"bytes=(\d+)-", header or "")
    return int(match.group(1)) if match else None


def download_row(deck: ServiceProcess, download_id: int) -> dict[str, Any]:
    row: dict[str, Any] = deck.api("GET", f"/downloads/{download_id}")
    return row


def ended(deck: ServiceProcess, download_id: int) -> dict[str, Any] | None:
    row = download_row(deck, download_id)
    return row if row["status"] in ("completed", "failed") else None


def test_sigkill_mid_download_resumes_from_the_partial_file(
    deck: ServiceProcess, jellyfin: FakeJellyfinThread
) -> None:
    fake = jellyfin.fake
    track = the_track(fake)
    deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] == 1, timeout=15)
    final = final_path(deck, track)
    part = part_path(final)
    fake.rate = SLOW

    status, row = deck.request("POST", "/api/v1/downloads", {"item_id": track.id})
    assert status == 201, row
    download_id = row["id"]
    deck.wait_until(
        lambda: download_row(deck, download_id)["bytes_downloaded"] > 0 and part.is_file(),
        timeout=10,
    )

    deck.kill()
    offset = part.stat().st_size  # SIGKILL keeps what reached the page cache: the resume point
    assert 0 < offset < SIZE, f"the kill did not land mid-transfer ({offset} bytes)"
    assert not final.exists()
    jellyfin.call(lambda: setattr(fake, "rate", None))  # full speed from here on
    served_before = fake.bytes_served(track.id)

    deck.start()
    done = deck.wait_until(lambda: ended(deck, download_id), timeout=30)
    assert done["status"] == "completed", done

    records = [r for r in fake.downloads if r.item_id == track.id]
    resumed = [r for r in records if (range_start(r.range) or 0) > 0]
    assert resumed, f"no Range request with a start > 0: {[(r.range, r.status) for r in records]}"
    assert range_start(resumed[0].range) == offset  # from exactly what was on disk
    assert resumed[0].if_range, "a resume must carry If-Range (the Last-Modified it began under)"
    assert resumed[0].status == 206
    served = fake.bytes_served(track.id)
    assert served <= SIZE + MIB, f"{served} bytes served for a {SIZE}-byte file"
    assert served_before >= offset

    assert done["bytes_downloaded"] == SIZE and done["file_size"] == SIZE
    assert done["progress"] == 1.0
    assert not part.exists()
    assert final.stat().st_size == SIZE
    assert sha256_of_file(final) == sha256_of_track(track)
