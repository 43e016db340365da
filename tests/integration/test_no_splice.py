"""Issue 13 item 8 on the real service: a proxy that ignores If-Range must not splice two files.

The service is killed mid-download; the file then changes on the server, and the next answer, to
the resume's `Range` + `If-Range`, is a 206 from the *new* file (a careless proxy). Before, the new
tail was appended to the old head and marked completed. Now the resumed answer is checked against
the validator the part was fetched under: it starts over, and the file is the new one, whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.jellyfin import FakeJellyfin, Fault, FaultKind
from tests.integration.jellyfin_thread import FakeJellyfinThread, deck_with, serving
from tests.integration.test_download_kill import (
    download_row,
    ended,
    final_path,
    range_start,
    sha256_of_file,
    sha256_of_track,
    the_track,
)

pytestmark = [pytest.mark.slow, pytest.mark.mpv]

MIB = 1024 * 1024
SIZE = 8 * MIB
USER, PASSWORD = "kitchen", "secret"


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    fake.add_album("Moving Target", [SIZE], artists=("The Editors",))
    with serving(fake) as server:
        yield server


def test_a_resume_from_a_changed_file_starts_over(
    tmp_path: Path, jellyfin: FakeJellyfinThread
) -> None:
    fake = jellyfin.fake
    track = the_track(fake)
    deck = deck_with(tmp_path / "deck", jellyfin, USER, PASSWORD)
    deck.start()
    try:
        deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] == 1, timeout=15)
        final = final_path(deck, track)
        fake.rate = MIB
        status, row = deck.request("POST", "/api/v1/downloads", {"item_id": track.id})
        assert status == 201, row
        deck.wait_until(lambda: download_row(deck, row["id"])["bytes_downloaded"] > 0, 10)
        deck.kill()

        def change() -> None:
            fake.rate = None
            fake.change_file(track.id)  # same size, new bytes, a later Last-Modified
            fake.add_fault(Fault(FaultKind.IGNORE_IF_RANGE, item_id=track.id))

        jellyfin.call(change)
        deck.start()
        done = deck.wait_until(lambda: ended(deck, row["id"]), timeout=30)
        assert done["status"] == "completed", done
        records = [r for r in fake.downloads if r.item_id == track.id]
        spliced = [r for r in records if r.fault is FaultKind.IGNORE_IF_RANGE]
        assert spliced and (range_start(spliced[0].range) or 0) > 0 and spliced[0].status == 206
        assert records[-1].range is None and records[-1].status == 200  # started over
        assert sha256_of_file(final) == sha256_of_track(track), "two versions spliced"
    finally:
        deck.stop()
