"""The scanner at scale: the FLAC header reader agrees with mutagen, worker processes read large
scans, and a rescan of unchanged files writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

import aiosqlite
import mutagen
import pytest

from cache.catalogue import Catalogue
from cache.local import workers
from cache.local.flac import read_flac_header
from cache.local.scanner import Scanner
from cache.local.tags import read_tags
from tests.bench.scale_library import library, track_tags
from tests.cache.dbutil import total_changes

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg makes the template")


def test_the_header_reader_reads_what_mutagen_reads() -> None:
    music = library(24) / "music"
    rel, tags = track_tags(13)
    header = read_flac_header(music / rel)
    assert header is not None
    comments, duration = header
    audio = mutagen.File(music / rel)
    assert duration == pytest.approx(audio.info.length)
    assert comments == {k.lower(): [v] for k, v in tags.items()}
    info = read_tags(music / rel, PurePosixPath(rel))
    assert (info.title, info.album, info.track_number) == (tags["TITLE"], tags["ALBUM"], 2)


def test_what_the_header_reader_is_unsure_of_goes_to_mutagen(tmp_path: Path) -> None:
    music = library(24) / "music"
    rel, _ = track_tags(0)
    data = (music / rel).read_bytes()
    id3_first = tmp_path / "id3.flac"
    id3_first.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + data)
    assert read_flac_header(id3_first) is None
    truncated = tmp_path / "short.flac"
    truncated.write_bytes(data[:40])
    assert read_flac_header(truncated) is None
    damaged = tmp_path / "damaged.flac"  # STREAMINFO is 34 bytes; a file saying 16 MiB is not read
    damaged.write_bytes(data[:5] + b"\xff\xff\xff" + data[8:])
    assert read_flac_header(damaged) is None


async def test_worker_processes_read_a_large_scan(
    fresh_db: aiosqlite.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "PARALLEL_MIN", 10)
    music = library(24) / "music"
    catalogue = Catalogue(fresh_db)
    summary = await Scanner(catalogue, music, workers=2, batch_size=7).scan()
    assert (summary.added, summary.errors) == (27, 0)  # 24 short tracks and the long album's 3
    albums, total = await catalogue.albums()
    assert total == 3 and [a.track_count for a in albums] == [12, 12, 3]
    before = await total_changes(fresh_db)
    again = await Scanner(catalogue, music, workers=2).scan()
    assert (again.unchanged, again.added, again.updated) == (27, 0, 0)
    assert await total_changes(fresh_db) == before
