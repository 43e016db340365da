"""Test helpers: WAV files of sine tones, and reading back what mpv rendered. Stdlib only.

`write_tone_parts` cuts ONE continuous tone into several files at exact sample boundaries, so a
gapless player that joins them must reproduce the uncut tone sample for sample.
"""

from __future__ import annotations

import array
import io
import math
import struct
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

RATE = 44100
CHANNELS = 2
_PCM = 1
_EXTENSIBLE = 0xFFFE


@dataclass(frozen=True)
class Pcm:
    """Interleaved signed 16-bit samples and their format."""

    rate: int
    channels: int
    bits: int
    samples: array.array[int]

    @property
    def frames(self) -> int:
        return len(self.samples) // self.channels

    def channel(self, index: int) -> array.array[int]:
        return self.samples[index :: self.channels]


def tone(
    frames: int,
    *,
    freq: float = 441.7,
    rate: int = RATE,
    channels: int = CHANNELS,
    amplitude: float = 0.4,
    phase: float = 0.3,
) -> array.array[int]:
    """A sine, interleaved; each channel has its own phase so swapped channels show up."""
    peak = amplitude * 32767
    step = 2 * math.pi * freq / rate
    out = array.array("h")
    for i in range(frames):
        for ch in range(channels):
            out.append(round(peak * math.sin(phase + ch * 1.1 + step * i)))
    return out


def write_wav(
    path: Path, samples: array.array[int], *, rate: int = RATE, channels: int = CHANNELS
) -> Path:
    """Write plain 16-bit PCM."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


def wav_bytes(seconds: float, freq: float = 441.7, *, rate: int = 16000) -> bytes:
    """A mono WAV file of a sine tone, in memory (a fake server's playable payload)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(tone(int(rate * seconds), freq=freq, rate=rate, channels=1).tobytes())
    return out.getvalue()


def write_tone_parts(
    directory: Path,
    frame_counts: Sequence[int],
    *,
    prefix: str = "part",
    freq: float = 441.7,
    rate: int = RATE,
    channels: int = CHANNELS,
) -> tuple[list[Path], array.array[int]]:
    """Cut one continuous tone into len(frame_counts) files; returns them and the uncut tone."""
    whole = tone(sum(frame_counts), freq=freq, rate=rate, channels=channels)
    paths: list[Path] = []
    start = 0
    for index, count in enumerate(frame_counts):
        part = whole[start * channels : (start + count) * channels]
        path = directory / f"{prefix}{index}.wav"
        paths.append(write_wav(path, part, rate=rate, channels=channels))
        start += count
    return paths, whole


def write_silence(path: Path, frames: int, *, rate: int = RATE, channels: int = CHANNELS) -> Path:
    return write_wav(
        path, array.array("h", bytes(frames * channels * 2)), rate=rate, channels=channels
    )


def read_wav(path: Path) -> Pcm:
    """Read a 16-bit WAV, including WAVE_FORMAT_EXTENSIBLE (what mpv writes, and `wave` refuses).

    A data chunk whose size was never filled in (writer still open) runs to the end of the file.
    """
    blob = path.read_bytes()
    if blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        raise ValueError(f"{path} is not a WAV file")
    fmt: tuple[int, int, int, int] | None = None
    pos = 12
    while pos + 8 <= len(blob):
        chunk, size = struct.unpack_from("<4sI", blob, pos)
        body = pos + 8
        if chunk == b"fmt ":
            tag, channels, rate, _rate_bytes, _align, bits = struct.unpack_from(
                "<HHIIHH", blob, body
            )
            fmt = (tag, channels, rate, bits)
        elif chunk == b"data":
            end = len(blob) if size in (0, 0xFFFFFFFF) else min(len(blob), body + size)
            return _pcm(fmt, blob[body:end], path)
        pos = body + size + (size & 1)
    raise ValueError(f"{path} has no data chunk")


def _pcm(fmt: tuple[int, int, int, int] | None, data: bytes, path: Path) -> Pcm:
    if fmt is None or fmt[0] not in (_PCM, _EXTENSIBLE) or fmt[3] != 16:
        raise ValueError(f"{path}: expected 16-bit PCM, got format {fmt}")
    samples = array.array("h")
    samples.frombytes(data[: len(data) // 2 * 2])
    return Pcm(rate=fmt[2], channels=fmt[1], bits=fmt[3], samples=samples)


def rms(samples: Sequence[int]) -> float:
    """Root mean square, in sample units (0 for silence)."""
    if not samples:
        return 0.0
    return math.sqrt(math.fsum(s * s for s in samples) / len(samples))


def zero_crossing_frequency(mono: Sequence[int], rate: int) -> float:
    """Estimate a pure tone's frequency from its rising zero crossings."""
    rising = [i for i in range(1, len(mono)) if mono[i - 1] < 0 <= mono[i]]
    if len(rising) < 2:
        return 0.0
    periods = (rising[-1] - rising[0]) / (len(rising) - 1)
    return rate / periods


def find_frames(haystack: Pcm, needle: array.array[int], *, probe_frames: int = 64) -> int | None:
    """The frame offset where `needle`'s first `probe_frames` frames appear in `haystack`."""
    width = probe_frames * haystack.channels
    probe = needle[:width]
    samples = haystack.samples
    for frame in range(haystack.frames - probe_frames + 1):
        start = frame * haystack.channels
        if samples[start] == probe[0] and samples[start : start + width] == probe:
            return frame
    return None
