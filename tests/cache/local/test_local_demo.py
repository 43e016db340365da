"""The generated demo library: real tagged WAV files, made only into an empty folder, atomically."""

from __future__ import annotations

import math
import wave
from array import array
from pathlib import Path

import mutagen
import pytest

from cache.local.demo import DEMO_ALBUMS, STAGING_PREFIX, ensure_demo_library, needs_demo
from cache.local.synth import SAMPLE_RATE, Piece, Renderer


def _wavs(music: Path) -> list[Path]:
    return sorted(music.rglob("*.wav"))


@pytest.fixture(scope="module")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo library for the read-only tests of this module."""
    folder = tmp_path_factory.mktemp("demo") / "music"
    assert ensure_demo_library(folder)
    return folder


def test_generates_two_albums_of_tagged_tracks(music: Path) -> None:
    wavs = _wavs(music)
    assert len(wavs) == 6
    albums = {p.parent.name for p in wavs}
    assert albums == {"Morning Tapes", "Evening Tapes"}
    for folder in albums:
        assert (music / "Paper Lanterns" / folder / "cover.png").read_bytes().startswith(b"\x89PNG")
    tagged = mutagen.File(music / "Paper Lanterns/Evening Tapes/03 - Goodnight, Tapedeck.wav")
    assert tagged is not None and tagged.tags is not None
    tags = {key: str(tagged.tags[key]) for key in tagged.tags.keys()}  # noqa: SIM118
    assert tags == {
        "TIT2": "Goodnight, Tapedeck",
        "TALB": "Evening Tapes",
        "TPE1": "Paper Lanterns",
        "TPE2": "Paper Lanterns",
        "TRCK": "3/3",
        "TPOS": "1/1",
        "TDRC": "2025",
        "TCON": "Ambient",
    }
    assert not list(music.glob(STAGING_PREFIX + "*"))


def test_tracks_are_short_mono_and_audible(music: Path) -> None:
    for path in _wavs(music):
        with wave.open(str(path)) as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
            seconds = wav.getnframes() / wav.getframerate()
            pcm = array("h", wav.readframes(wav.getnframes()))
        assert 15.0 <= seconds <= 25.0
        rms = math.sqrt(sum(x * x for x in pcm[::50]) / len(pcm[::50]))
        assert 1000 < rms < 12000, path.name  # clearly audible, far from clipping
        assert pcm[0] == 0 and pcm[-1] == 0  # starts and ends in silence: no click


def test_only_an_empty_folder_gets_a_demo(tmp_path: Path) -> None:
    music = tmp_path / "music"
    (music / "Mine").mkdir(parents=True)
    (music / "Mine" / "song.flac").write_bytes(b"x")
    assert not needs_demo(music)
    assert not ensure_demo_library(music)
    assert _wavs(music) == []


def test_second_call_does_nothing(music: Path) -> None:
    assert not ensure_demo_library(music)
    assert len(_wavs(music)) == 6


def test_leftovers_of_a_crashed_run_are_replaced(tmp_path: Path) -> None:
    music = tmp_path / "music"
    stale = music / f"{STAGING_PREFIX}99999" / "Paper Lanterns" / "Morning Tapes"
    stale.mkdir(parents=True)
    (stale / "01 - First Light.wav").write_bytes(b"RIFF half")
    (music / ".DS_Store").write_bytes(b"")
    assert needs_demo(music)  # hidden leftovers do not make the folder look used
    assert ensure_demo_library(music)
    assert not (music / f"{STAGING_PREFIX}99999").exists()
    assert len(_wavs(music)) == 6


def test_a_failed_run_leaves_no_visible_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cache.local.demo as demo

    def boom(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(demo, "_tag", boom)
    music = tmp_path / "music"
    with pytest.raises(OSError, match="disk full"):
        ensure_demo_library(music)
    assert needs_demo(music)
    assert list(music.iterdir()) == []


def _power(pcm: array[int], freq: float) -> float:
    """Goertzel: the signal's power at `freq`."""
    coeff = 2 * math.cos(2 * math.pi * freq / SAMPLE_RATE)
    s1 = s2 = 0.0
    for x in pcm:
        s1, s2 = x + coeff * s1 - s2, s1
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def test_pieces_stay_in_tune() -> None:
    """An A4 arpeggio note (over its A3 bass) peaks at 440 Hz, not a few hertz off."""
    piece = Piece(key=69, chords=((0, 0, 0, 0),), pattern=(0,), step=0.5, seconds=0.5)
    held = Renderer(SAMPLE_RATE).render(piece)[500:9000]
    at = {f: _power(held, f) for f in (436.0, 440.0, 444.0)}
    assert at[440.0] > 2 * max(at[436.0], at[444.0])


def test_demo_plan_is_two_albums_of_three() -> None:
    assert [len(a.tracks) for a in DEMO_ALBUMS] == [3, 3]
