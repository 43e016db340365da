"""The fast scan path: the FLAC reader past its first read (a large picture, lyrics with line
breaks) agrees with mutagen, parts split at folders, and a worker that dies hands its files on."""

from __future__ import annotations

import shutil
import struct
import sys
from pathlib import Path

import aiosqlite
import mutagen
import pytest

from cache.catalogue import Catalogue
from cache.local import workers
from cache.local.flac import read_flac_header
from cache.local.scanner import Scanner
from cache.local.walk import FileStat
from tests.bench.scale_library import library, track_tags

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg makes the template")


def _block(kind: int, body: bytes, last: bool = False) -> bytes:
    return bytes([kind | (0x80 if last else 0)]) + len(body).to_bytes(3, "big") + body


def _comments(entries: list[str]) -> bytes:
    body = struct.pack("<I", 6) + b"vendor" + struct.pack("<I", len(entries))
    for entry in entries:
        raw = entry.encode()
        body += struct.pack("<I", len(raw)) + raw
    return body


def test_blocks_beyond_the_first_read_and_lyrics_match_mutagen(tmp_path: Path) -> None:
    rel, _ = track_tags(0)
    data = (library(24) / "music" / rel).read_bytes()
    streaminfo, frames = data[8 : 8 + 34], data[4 + 4 + 34 :]
    frames = frames[4 + int.from_bytes(frames[1:4], "big") :]  # drop the file's own comments
    picture = b"\x00" * 200_000  # a cover far larger than the reader's first read (a PADDING)
    entries = ["TITLE=Über", "ARTIST=A", "ARTIST=B", "LYRICS=line one\nline two", "Album=X"]
    path = tmp_path / "big.flac"
    path.write_bytes(
        b"fLaC" + _block(0, streaminfo) + _block(1, picture) + _block(4, _comments(entries), True)
        + frames
    )  # fmt: skip
    header = read_flac_header(path)
    assert header is not None
    comments, duration = header
    audio = mutagen.File(path)
    assert duration == pytest.approx(audio.info.length)
    assert comments == {"title": ["Über"], "artist": ["A", "B"], "lyrics": ["line one\nline two"],
                        "album": ["X"]}  # fmt: skip
    assert comments["lyrics"] == audio.tags["lyrics"]


def test_parts_are_cut_where_the_folder_changes() -> None:
    files = [FileStat(f"A/{n}.flac", 1, 1) for n in range(5)]
    files += [FileStat(f"B/{n}.flac", 1, 1) for n in range(3)]
    parts = workers.split_by_folder(files, 2)
    assert [len(p) for p in parts] == [5, 3]
    assert [f for part in parts for f in part] == files
    assert workers.split_by_folder(files[:5], 2) == [files[:5]]  # one folder: one part


async def test_a_worker_that_cannot_run_leaves_its_files_to_a_thread(
    fresh_db: aiosqlite.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "PARALLEL_MIN", 10)
    monkeypatch.setattr(sys, "executable", shutil.which("false") or "/bin/false")
    catalogue = Catalogue(fresh_db)
    summary = await Scanner(catalogue, library(24) / "music", workers=2).scan()
    assert (summary.added, summary.errors) == (27, 0)
    albums, total = await catalogue.albums()
    assert total == 3 and [a.track_count for a in albums] == [12, 12, 3]
    await catalogue.release_memory()  # what the service does after its first scan
    assert (await catalogue.albums())[1] == 3
