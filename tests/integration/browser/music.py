"""Tagged WAV files for a test music folder: silent audio, real ID3 tags (written with mutagen)."""

from __future__ import annotations

import wave
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutagen import id3
from mutagen.wave import WAVE

RATE = 8000  # Hz, mono, 16-bit: small files that mpv plays like any other


@dataclass(frozen=True, slots=True)
class Song:
    """One file to write: its tags and its length in seconds."""

    title: str
    album: str
    artist: str
    number: int
    seconds: float = 30.0
    year: int = 2024


def write_song(folder: Path, song: Song) -> Path:
    """Write `song` as `<folder>/<album>/<NN>.wav` with its ID3 tags; returns the path."""
    album_dir = folder / f"album-{zlib.crc32(song.album.encode()):08x}"
    album_dir.mkdir(parents=True, exist_ok=True)
    path = album_dir / f"{song.number:02d}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"\x00\x00" * int(RATE * song.seconds))
    tagged: Any = WAVE(path)  # type: ignore[no-untyped-call]
    tagged.add_tags()
    frames = {
        "TIT2": song.title,
        "TALB": song.album,
        "TPE1": song.artist,
        "TPE2": song.artist,
        "TRCK": str(song.number),
        "TDRC": str(song.year),
    }
    for frame, value in frames.items():
        tagged.tags.add(getattr(id3, frame)(encoding=3, text=[value]))
    tagged.save()
    return path


def write_album(
    folder: Path, album: str, artist: str, titles: list[str], seconds: float = 30.0
) -> None:
    for number, title in enumerate(titles, start=1):
        write_song(folder, Song(title, album, artist, number, seconds))
