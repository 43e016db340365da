"""The demo library: six short tagged tracks on two albums, made in-process when music_dir is empty.

Files are WAV (16-bit mono, 22.05 kHz) with an ID3 chunk, written by the standard library's `wave`
and tagged with mutagen. The whole library is built in a hidden staging folder and moved into place
with one rename, so a crash or power cut never leaves a half library that looks real: a folder
holding only the hidden leftovers still counts as empty, and the next start builds it again.
"""

from __future__ import annotations

import logging
import os
import shutil
import struct
import sys
import time
import wave
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cache.local.synth import SAMPLE_RATE, Piece, Renderer

log = logging.getLogger(__name__)

ARTIST = "Paper Lanterns"
GENRE = "Ambient"
STAGING_PREFIX = ".tapedeck-demo-"
_ARP = (0, 1, 2, 3, 2, 1, 2, 1)
_ROLL = (0, 2, 1, 3, 1, 2, 0, 2)
_MAJOR = ((0, 4, 7, 12), (-5, -1, 2, 7), (-3, 0, 4, 9), (-7, -3, 0, 5))  # I V vi IV
_MAJOR_2 = ((0, 4, 7, 12), (-3, 0, 4, 9), (-7, -3, 0, 5), (-5, -1, 2, 7))  # I vi IV V
_MINOR = ((0, 3, 7, 12), (-4, 0, 3, 8), (-9, -5, -2, 3), (-2, 2, 5, 10))  # i VI III VII
_MINOR_2 = ((0, 3, 7, 12), (-7, -4, 0, 5), (-2, 2, 5, 10), (-9, -5, -2, 3))  # i iv VII III


@dataclass(frozen=True, slots=True)
class DemoTrack:
    title: str
    piece: Piece


@dataclass(frozen=True, slots=True)
class DemoAlbum:
    title: str
    year: int
    colours: tuple[tuple[int, int, int], tuple[int, int, int]]  # the cover's gradient
    tracks: tuple[DemoTrack, ...]


DEMO_ALBUMS = (
    DemoAlbum(
        "Morning Tapes",
        2024,
        ((250, 196, 120), (120, 170, 220)),
        (
            DemoTrack("First Light", Piece(60, _MAJOR, _ARP, 0.22, 17.0)),
            DemoTrack("Kettle Song", Piece(67, _MAJOR_2, _ROLL, 0.2, 16.0)),
            DemoTrack("Open Window", Piece(64, _MINOR, _ARP, 0.24, 17.0)),
        ),
    ),
    DemoAlbum(
        "Evening Tapes",
        2025,
        ((60, 60, 120), (230, 120, 90)),
        (
            DemoTrack("Lanterns", Piece(65, _MAJOR, _ROLL, 0.25, 16.0)),
            DemoTrack("Slow River", Piece(62, _MINOR_2, _ARP, 0.26, 16.0)),
            DemoTrack("Goodnight, Tapedeck", Piece(68, _MAJOR_2, _ARP, 0.28, 15.0)),
        ),
    ),
)


def needs_demo(music_dir: Path) -> bool:
    """True when `music_dir` holds no visible file at any depth (hidden leftovers don't count)."""
    if not music_dir.is_dir():
        return True
    for _dirpath, dirnames, filenames in os.walk(music_dir):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if any(not name.startswith(".") for name in filenames):
            return False
    return True


def ensure_demo_library(music_dir: Path, albums: Sequence[DemoAlbum] = DEMO_ALBUMS) -> bool:
    """Make the demo library in `music_dir` when it is empty; True if it did. Blocking (about a
    quarter of a second on a desktop CPU): call it through `asyncio.to_thread` from a loop."""
    if not needs_demo(music_dir):
        return False
    music_dir.mkdir(parents=True, exist_ok=True)
    for stale in music_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    started = time.perf_counter()
    staging = music_dir / f"{STAGING_PREFIX}{os.getpid()}"
    try:
        write_library(staging / ARTIST, albums)
        (staging / ARTIST).replace(music_dir / ARTIST)
        _fsync_dir(music_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("demo library written in %.2f s", time.perf_counter() - started)
    return True


def write_library(artist_dir: Path, albums: Sequence[DemoAlbum]) -> None:
    """Write every album under `artist_dir` ("Album/NN - Title.wav" plus cover.png)."""
    renderer = Renderer(SAMPLE_RATE)
    for album in albums:
        folder = artist_dir / album.title
        folder.mkdir(parents=True, exist_ok=True)
        _write_cover(folder / "cover.png", album.colours)
        for number, track in enumerate(album.tracks, start=1):
            path = folder / f"{number:02d} - {track.title}.wav"
            pcm = renderer.render(track.piece)
            if sys.byteorder == "big":
                pcm.byteswap()  # WAV samples are little-endian
            _write_wav(path, pcm.tobytes())
            _tag(path, album, track, number)
            _fsync(path)


def _write_wav(path: Path, frames: bytes) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(frames)


def _tag(path: Path, album: DemoAlbum, track: DemoTrack, number: int) -> None:
    frames = {
        "TIT2": track.title,
        "TALB": album.title,
        "TPE1": ARTIST,
        "TPE2": ARTIST,
        "TRCK": f"{number}/{len(album.tracks)}",
        "TPOS": "1/1",
        "TDRC": str(album.year),
        "TCON": GENRE,
    }
    from mutagen import id3  # only when a demo library is made, not at every start
    from mutagen.wave import WAVE

    audio: Any = WAVE
    tagged = audio(path)
    tagged.add_tags()
    for frame_id, text in frames.items():
        frame_class: Any = getattr(id3, frame_id)
        tagged.tags.add(frame_class(encoding=id3.Encoding.UTF8, text=[text]))
    tagged.save()


def _write_cover(path: Path, colours: tuple[tuple[int, int, int], tuple[int, int, int]]) -> None:
    """A 128x128 diagonal gradient PNG (the cover route finds cover.png next to the files)."""
    size = 128
    (r0, g0, b0), (r1, g1, b1) = colours
    span = 2 * size - 1
    line = bytearray()
    for i in range(span):
        t = i / (span - 1)
        line += bytes((int(r0 + (r1 - r0) * t), int(g0 + (g1 - g0) * t), int(b0 + (b1 - b0) * t)))
    rows = bytearray()
    for y in range(size):
        # Filter byte 0 ("none"), then the row: a window onto the gradient, shifted one per row.
        rows += b"\x00" + line[3 * y : 3 * (y + size)]
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9))
    path.write_bytes(png + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; some file systems refuse to fsync a directory.
    try:
        _fsync(path)
    except OSError:
        log.debug("could not fsync %s", path)
