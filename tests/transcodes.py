"""Test helpers for transcoded copies: FLAC files of one continuous signal cut at exact samples,
made by Debian's ffmpeg, and put on a (transcoding) fake Jellyfin as an album."""

from __future__ import annotations

import array
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.jellyfin import FakeAlbum, FakeJellyfin, FakeTrack
from tests.tones import CHANNELS, RATE, tone, write_wav


@dataclass(frozen=True)
class FlacParts:
    paths: list[Path]
    frames: list[int]
    whole: array.array[int]  # the uncut signal, interleaved


def signal(frames: int, *, seed: int = 7) -> array.array[int]:
    """A tone with noise over it: FLAC cannot shrink noise, so the original is big (~1 Mbit/s),
    as real music is, and a transcode's saving shows."""
    rng = random.Random(seed)
    out = tone(frames, amplitude=0.35)
    for i in range(len(out)):
        out[i] += rng.randint(-6000, 6000)
    return out


def flac_parts(directory: Path, frame_counts: list[int]) -> FlacParts:
    """One continuous signal cut into FLAC files of `frame_counts` frames each."""
    whole = signal(sum(frame_counts))
    paths, start = [], 0
    for index, count in enumerate(frame_counts):
        wav = write_wav(
            directory / f"part{index}.wav", whole[start * CHANNELS : (start + count) * CHANNELS]
        )
        flac = directory / f"part{index}.flac"
        subprocess.run(
            ["ffmpeg", "-hide_banner", "-v", "error", "-y", "-i", str(wav), str(flac)],
            check=True,
            timeout=60,
        )
        paths.append(flac)
        start += count
    return FlacParts(paths, list(frame_counts), whole)


def add_flac_album(fake: FakeJellyfin, parts: FlacParts) -> tuple[FakeAlbum, list[FakeTrack]]:
    """The parts as one album on the fake, each track's RunTimeTicks its exact length."""
    album, _ = fake.add_album("Transcoded", [])
    tracks = []
    for number, (path, frames) in enumerate(zip(parts.paths, parts.frames, strict=True), 1):
        track = fake.add_track(
            f"Part {number}", album.id, 0, index=number, payload=path.read_bytes()
        )
        track.runtime_seconds = frames / RATE
        tracks.append(track)
    return album, tracks
