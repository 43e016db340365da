"""The scanner against real files in tmp_path and a real SQLite catalogue."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import pytest

from cache.catalogue import Catalogue
from cache.db import open_db
from cache.local.demo import ensure_demo_library
from cache.local.ids import album_id, track_id
from cache.local.scanner import Scanner, walk_music
from cache.models import SourceKind
from cache.schema import MIGRATIONS
from tests.cache.local.conftest import write_wav


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "music"
    assert ensure_demo_library(folder)
    return folder


@pytest.fixture
def music(tmp_path: Path, demo_template: Path) -> Path:
    """A fresh copy of the demo library (generated once per module)."""
    return Path(shutil.copytree(demo_template, tmp_path / "music"))


async def test_scan_finds_demo_albums_and_tracks(catalogue: Catalogue, music: Path) -> None:
    summary = await Scanner(catalogue, music).scan()
    assert (summary.added, summary.updated, summary.removed, summary.errors) == (6, 0, 0, 0)
    albums, total = await catalogue.albums()
    assert total == 2
    assert [a.title for a in albums] == ["Evening Tapes", "Morning Tapes"]
    morning = await catalogue.album(albums[1].id)
    assert morning is not None and morning.tracks is not None
    assert [t.title for t in morning.tracks] == ["First Light", "Kettle Song", "Open Window"]
    assert [t.track_number for t in morning.tracks] == [1, 2, 3]
    first = morning.tracks[0]
    assert first.artists == ("Paper Lanterns",)
    assert first.album_artist == "Paper Lanterns"
    assert (first.disc_number, first.year, first.container) == (1, 2024, "wav")
    assert first.source is SourceKind.LOCAL and first.available_offline
    assert all(15.0 <= t.duration <= 25.0 for t in morning.tracks)
    assert morning.duration == pytest.approx(sum(t.duration for t in morning.tracks))
    assert (
        first.size == (music / "Paper Lanterns/Morning Tapes/01 - First Light.wav").stat().st_size
    )
    assert (
        await catalogue.local_path(first.id) == "Paper Lanterns/Morning Tapes/01 - First Light.wav"
    )


async def test_rescan_skips_unchanged_files_and_keeps_ids(
    catalogue: Catalogue, music: Path
) -> None:
    scanner = Scanner(catalogue, music)
    await scanner.scan()
    before = await catalogue.albums()
    summary = await scanner.scan()
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (0, 0, 0, 6)
    assert await catalogue.albums() == before


async def test_ids_derive_from_paths_so_a_new_database_gets_the_same_ids(
    catalogue: Catalogue, music: Path, tmp_path: Path
) -> None:
    await Scanner(catalogue, music).scan()
    first, _ = await catalogue.albums()
    conn = await open_db(tmp_path / "elsewhere" / "cache.db", MIGRATIONS)
    try:
        other = Catalogue(conn)
        await Scanner(other, music).scan()
        second, _ = await other.albums()
    finally:
        await conn.close()
    assert [a.id for a in first] == [a.id for a in second]
    rel = "Paper Lanterns/Evening Tapes/01 - Lanterns.wav"
    assert await catalogue.track(track_id(rel)) is not None
    assert first[0].id == album_id("paper  LANTERNS", "Evening Tapes")


async def test_changed_file_is_read_again(catalogue: Catalogue, music: Path) -> None:
    scanner = Scanner(catalogue, music)
    await scanner.scan()
    path = music / "Paper Lanterns/Evening Tapes/02 - Slow River.wav"
    write_wav(path, 2.0, {"TIT2": "Fast River", "TALB": "Evening Tapes", "TPE2": "Paper Lanterns"})
    summary = await scanner.scan()
    assert (summary.added, summary.updated, summary.unchanged) == (0, 1, 5)
    track = await catalogue.track(track_id("Paper Lanterns/Evening Tapes/02 - Slow River.wav"))
    assert track is not None
    assert track.title == "Fast River"
    assert track.duration == pytest.approx(2.0)
    assert track.track_number == 2  # from the file name now that the tag is gone


async def test_deleted_files_and_emptied_albums_are_removed(
    catalogue: Catalogue, music: Path
) -> None:
    scanner = Scanner(catalogue, music)
    await scanner.scan()
    for wav in (music / "Paper Lanterns/Morning Tapes").glob("*.wav"):
        wav.unlink()
    (music / "Paper Lanterns/Evening Tapes/03 - Goodnight, Tapedeck.wav").unlink()
    summary = await scanner.scan()
    assert summary.removed == 4
    albums, total = await catalogue.albums()
    assert total == 1
    assert albums[0].title == "Evening Tapes" and albums[0].track_count == 2


async def test_untagged_file_falls_back_to_names(catalogue: Catalogue, tmp_path: Path) -> None:
    music = tmp_path / "music"
    write_wav(music / "Some Artist" / "Some Album" / "1-07 - A Tune.wav", 1.5)
    write_wav(music / "loose.wav", 0.5)
    await Scanner(catalogue, music).scan()
    tune = await catalogue.track(track_id("Some Artist/Some Album/1-07 - A Tune.wav"))
    assert tune is not None
    assert (tune.title, tune.album, tune.artists) == ("A Tune", "Some Album", ("Some Artist",))
    assert (tune.track_number, tune.disc_number) == (7, 1)
    assert tune.album_id == album_id("Some Artist", "Some Album")
    loose = await catalogue.track(track_id("loose.wav"))
    assert loose is not None
    assert (loose.title, loose.album, loose.artists) == (
        "loose",
        "Unknown Album",
        ("Unknown Artist",),
    )


async def test_partial_tags_keep_what_is_there(catalogue: Catalogue, tmp_path: Path) -> None:
    music = tmp_path / "music"
    tags = {
        "TIT2": "Tagged",
        "TPE1": "Singer",
        "TRCK": "3/12",
        "TPOS": "2/2",
        "TDRC": "2019-05-01",
        "TXXX:REPLAYGAIN_TRACK_GAIN": "-6.5 dB",
        "TXXX:replaygain_album_gain": "+1.25 dB",
    }
    write_wav(music / "Folder Artist" / "Folder Album" / "x.wav", 1.0, tags)
    await Scanner(catalogue, music).scan()
    track = await catalogue.track(track_id("Folder Artist/Folder Album/x.wav"))
    assert track is not None
    assert (track.title, track.artists, track.album) == ("Tagged", ("Singer",), "Folder Album")
    assert (track.track_number, track.disc_number, track.year) == (3, 2, 2019)
    assert (track.replaygain_track, track.replaygain_album) == (-6.5, 1.25)
    assert track.album_id == album_id("Singer", "Folder Album")  # no album artist: first artist


async def test_broken_and_non_audio_files_are_skipped_and_logged_once(
    catalogue: Catalogue, music: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (music / "broken.mp3").write_bytes(b"\x00" * 100)
    (music / "truncated.flac").write_bytes(b"fLaC\x00\x00")
    (music / "notes.txt").write_text("not music")
    scanner = Scanner(catalogue, music)
    with caplog.at_level(logging.WARNING, logger="cache.local.scanner"):
        first = await scanner.scan()
        second = await scanner.scan()
    assert (first.added, first.errors) == (6, 2)
    assert (second.added, second.errors) == (0, 2)
    logged = [r.getMessage() for r in caplog.records]
    assert sum("broken.mp3" in m for m in logged) == 1
    assert sum("truncated.flac" in m for m in logged) == 1
    assert not any("notes.txt" in m for m in logged)
    _, total = await catalogue.albums()
    assert total == 2


async def test_a_catalogued_file_that_breaks_is_dropped(catalogue: Catalogue, music: Path) -> None:
    scanner = Scanner(catalogue, music)
    await scanner.scan()
    rel = "Paper Lanterns/Morning Tapes/02 - Kettle Song.wav"
    (music / rel).write_bytes(b"RIFF junk")
    summary = await scanner.scan()
    assert (summary.removed, summary.errors) == (1, 1)
    assert await catalogue.track(track_id(rel)) is None


async def test_symlinks_stay_inside_the_music_folder(tmp_path: Path) -> None:
    music, outside = tmp_path / "music", tmp_path / "outside"
    write_wav(music / "A" / "B" / "01 - In.wav", 0.2)
    write_wav(outside / "01 - Out.wav", 0.2)
    (music / "escape").symlink_to(outside, target_is_directory=True)
    (music / "again").symlink_to(music / "A", target_is_directory=True)
    (music / "loop").symlink_to(music, target_is_directory=True)
    found = await asyncio.to_thread(walk_music, music)
    assert [f.relpath for f in found] == ["A/B/01 - In.wav"]


async def test_concurrent_scans_are_serialised(catalogue: Catalogue, music: Path) -> None:
    one, two = Scanner(catalogue, music), Scanner(catalogue, music)
    first, second = await asyncio.gather(one.scan(), two.scan())
    assert sorted([first.added, second.added]) == [0, 6]
    assert sorted([first.unchanged, second.unchanged]) == [0, 6]
    _, total = await catalogue.albums()
    assert total == 2


async def test_missing_folder_leaves_the_catalogue_alone(catalogue: Catalogue, music: Path) -> None:
    await Scanner(catalogue, music).scan()
    summary = await Scanner(catalogue, music.parent / "unmounted").scan()
    assert summary.removed == 0
    _, total = await catalogue.albums()
    assert total == 2


async def test_batches_smaller_than_the_library(catalogue: Catalogue, music: Path) -> None:
    summary = await Scanner(catalogue, music, batch_size=4).scan()
    assert summary.added == 6
    albums, _ = await catalogue.albums()
    assert [a.track_count for a in albums] == [3, 3]
