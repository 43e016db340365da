"""Tag reading: each container's keys flattened to one view, then parsed with name fallbacks."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from mutagen.flac import VCFLACDict
from mutagen.mp4 import MP4FreeForm, MP4Tags

from cache.local.errors import UnreadableFileError
from cache.local.tags import _build, _flatten, guess_from_path, read_tags
from tests.cache.local.conftest import write_wav


def test_vorbis_comments_flatten_case_insensitively() -> None:
    tags = VCFLACDict()
    tags["TITLE"] = ["Song"]
    tags["Artist"] = ["One", "Two", "One"]
    tags["ALBUMARTIST"] = ["Band"]
    tags["TRACKNUMBER"] = ["03/12"]
    tags["REPLAYGAIN_TRACK_GAIN"] = ["-7.20 dB"]
    info = _build(_flatten(tags), 12.5, PurePosixPath("X/Y/z.flac"))
    assert (info.title, info.artists, info.album_artist) == ("Song", ("One", "Two"), "Band")
    assert (info.album, info.track_number, info.replaygain_track) == ("Y", 3, -7.2)


def test_mp4_atoms_flatten() -> None:
    tags = MP4Tags()
    tags["©nam"] = ["Title"]
    tags["©ART"] = ["Artist"]
    tags["©alb"] = ["Album"]
    tags["trkn"] = [(4, 10)]
    tags["disk"] = [(2, 2)]
    tags["©day"] = ["2003-02-01T00:00:00Z"]
    tags["----:com.apple.iTunes:replaygain_album_gain"] = [MP4FreeForm(b"+2.00 dB")]
    info = _build(_flatten(tags), 1.0, PurePosixPath("a.m4a"))
    assert (info.title, info.artists, info.album) == ("Title", ("Artist",), "Album")
    assert (info.track_number, info.disc_number, info.year) == (4, 2, 2003)
    assert info.replaygain_album == 2.0


def test_ape_style_aliases() -> None:
    view = {"track": ["7"], "album artist": ["AA"], "year": ["1999"]}
    tags = _flatten(_Dict(view))
    assert (tags["tracknumber"], tags["albumartist"], tags["date"]) == (["7"], ["AA"], ["1999"])


class _Dict(dict[str, list[str]]):
    """Stands in for a generic mutagen tag mapping (APEv2, ASF): keys() and [key]."""


@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("Artist/Album/03 - Title.mp3", ("Title", "Album", "Artist", 3, None)),
        ("Artist/Album/2-11 Title Here.flac", ("Title Here", "Album", "Artist", 11, 2)),
        ("Artist/Album/07. Dotted.ogg", ("Dotted", "Album", "Artist", 7, None)),
        ("Album/No Number.mp3", ("No Number", "Album", "Unknown Artist", None, None)),
        ("1999.mp3", ("1999", "Unknown Album", "Unknown Artist", None, None)),
    ],
)
def test_names_guess_missing_tags(
    relpath: str, expected: tuple[str, str, str, int | None, int | None]
) -> None:
    g = guess_from_path(PurePosixPath(relpath))
    assert (g.title, g.album, g.artists[0], g.track_number, g.disc_number) == expected


def test_odd_numbers_and_dates() -> None:
    view = {"tracknumber": ["A1"], "discnumber": [" 2 / 3"], "date": ["circa 1975"]}
    info = _build(view, 3.0, PurePosixPath("Ar/Al/05 - T.mp3"))
    assert (info.track_number, info.disc_number, info.year) == (5, 2, 1975)


def test_read_tags_of_a_real_file(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "a.wav", 0.5, {"TIT2": "Real", "TPE1": "Someone"})
    info = read_tags(path, PurePosixPath("a.wav"))
    assert (info.title, info.artists) == ("Real", ("Someone",))
    assert info.duration == pytest.approx(0.5)


def test_unreadable_files_raise_one_error_type(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"\xff\xfb" + b"\x00" * 10)
    for path in (junk, tmp_path / "missing.ogg"):
        with pytest.raises(UnreadableFileError):
            read_tags(path, PurePosixPath(path.name))
