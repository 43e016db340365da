"""A test-tone album for the multiroom tests: one continuous tone cut into tagged FLAC tracks at
exact sample boundaries (48 kHz, the stream's format), and the check that a room's output holds it."""

from __future__ import annotations

import array
import shutil
import subprocess
from pathlib import Path

from tests.tones import Pcm, find_frames, write_tone_parts

RATE = 48000
FRAMES = (RATE * 3 // 4, RATE + 1234, RATE // 2 + 77)  # joins off any block boundary
FREQ = 441.7


def make_tone_album(music: Path, work: Path) -> array.array[int]:
    """Write the album's tracks under `music`; answer the uncut tone they must join back into."""
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg is not None, "ffmpeg makes the test album"
    work.mkdir(parents=True, exist_ok=True)
    folder = music / "Tone Artist" / "Tone Album"
    folder.mkdir(parents=True, exist_ok=True)
    parts, whole = write_tone_parts(work, FRAMES, freq=FREQ, rate=RATE)
    for number, part in enumerate(parts, start=1):
        tags = {"title": f"Tone {number}", "artist": "Tone Artist", "album": "Tone Album",
                "album_artist": "Tone Artist", "track": str(number)}  # fmt: skip
        args = [ffmpeg, "-v", "error", "-y", "-i", str(part)]
        for key, value in tags.items():
            args += ["-metadata", f"{key}={value}"]
        subprocess.run([*args, str(folder / f"{number:02d}.flac")], check=True, timeout=60)
    return whole


def make_long_album(music: Path, seconds: int = 120, count: int = 3) -> list[str]:
    """An album of `count` tagged tones long enough to pause and skip in; answers the titles."""
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg is not None, "ffmpeg makes the test album"
    folder = music / "Tone Artist" / "Long Album"
    folder.mkdir(parents=True, exist_ok=True)
    titles = [f"Long {number}" for number in range(1, count + 1)]
    for number, title in enumerate(titles, start=1):
        tone = f"sine=frequency={220 * number}:duration={seconds}:sample_rate={RATE}"
        tags = {"title": title, "artist": "Tone Artist", "album": "Long Album",
                "album_artist": "Tone Artist", "track": str(number)}  # fmt: skip
        args = [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", tone, "-ac", "2"]
        for key, value in tags.items():
            args += ["-metadata", f"{key}={value}"]
        subprocess.run([*args, str(folder / f"{number:02d}.flac")], check=True, timeout=120)
    return titles


def read_raw(path: Path) -> Pcm:
    """A snapclient `--player file` output: headerless 48000:16:2."""
    samples = array.array("h")
    blob = path.read_bytes()
    samples.frombytes(blob[: len(blob) // 4 * 4])
    return Pcm(rate=RATE, channels=2, bits=16, samples=samples)


def onset_and_join(pcm: Pcm, whole: array.array[int]) -> tuple[int, int | None]:
    """Where the album starts in a room's output, and the first frame that differs (None: the
    whole album is there, every join sample-exact)."""
    offset = find_frames(pcm, whole, probe_frames=256)
    assert offset is not None, "the album's first samples are not in the room's output"
    start = offset * pcm.channels
    heard = pcm.samples[start : start + len(whole)]
    if len(heard) < len(whole):
        return offset, len(heard) // pcm.channels
    diff = next((i for i, (x, y) in enumerate(zip(heard, whole, strict=True)) if x != y), None)
    return offset, None if diff is None else diff // pcm.channels
