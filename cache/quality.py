"""Which copy of a track to keep: the original file, or a transcode such as "opus:128".

A transcoded copy multiplies what a small card holds (a FLAC album is ~8x an Opus 128 one), but it
is never worth making of a source that is already small: a source at or below the target bitrate
is kept as it is, and so is a lossy source (re-encoding lossy audio only loses more). Only a
lossless source above the target is transcoded. Containers are the ones written front to back
(Ogg/Opus, MP3, ADTS AAC): an M4A transcode arrives without its `moov` atom (jellyfin#9248).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

ORIGINAL = "original"  # the Download object's `quality` of an untouched file
OFF = "off"  # the setting that keeps originals
LOSSLESS_CONTAINERS = frozenset({"flac", "wav", "aiff", "aif", "ape", "wv", "alac", "dsf"})
_MIN_KBPS, _MAX_KBPS = 32, 512


class Codec(StrEnum):
    OPUS = "opus"
    MP3 = "mp3"
    AAC = "aac"


# codec -> (Jellyfin's transcodingContainer, the file's extension, its MIME type)
_CONTAINERS: dict[Codec, tuple[str, str, str]] = {
    Codec.OPUS: ("ogg", "opus", "audio/ogg"),
    Codec.MP3: ("mp3", "mp3", "audio/mpeg"),
    Codec.AAC: ("aac", "aac", "audio/aac"),
}


@dataclass(frozen=True, slots=True)
class Profile:
    """A transcode target: a codec at a bitrate in kbit/s."""

    codec: Codec
    kbps: int

    def __str__(self) -> str:
        return f"{self.codec.value}:{self.kbps}"

    @property
    def container(self) -> str:
        """What Jellyfin is asked to wrap the audio in (`transcodingContainer`)."""
        return _CONTAINERS[self.codec][0]

    @property
    def extension(self) -> str:
        return _CONTAINERS[self.codec][1]

    @property
    def mime_type(self) -> str:
        return _CONTAINERS[self.codec][2]

    def expected_size(self, duration: float) -> int:
        """Bytes a copy of `duration` seconds should take (bitrate x duration)."""
        return int(self.kbps * 1000 / 8 * max(duration, 0.0))


def parse_setting(value: object) -> Profile | None:
    """`"off"` -> None, `"opus:128"` -> Profile; ValueError with a sentence otherwise."""
    if not isinstance(value, str):
        raise ValueError('must be "off" or a profile such as "opus:128"')
    if value == OFF:
        return None
    codec_text, _, kbps_text = value.partition(":")
    codecs = ", ".join(c.value for c in Codec)
    try:
        codec = Codec(codec_text)
    except ValueError as err:
        raise ValueError(f'must be "off" or codec:kbps with a codec among {codecs}') from err
    if not kbps_text.isdigit() or not _MIN_KBPS <= int(kbps_text) <= _MAX_KBPS:
        raise ValueError(f"the bitrate must be a whole number of kbit/s, {_MIN_KBPS}..{_MAX_KBPS}")
    return Profile(codec, int(kbps_text))


class SourceFile(Protocol):
    """What is known of a source file before fetching it (a catalogue Track)."""

    @property
    def container(self) -> str: ...

    @property
    def size(self) -> int: ...

    @property
    def duration(self) -> float: ...


def source_kbps(track: SourceFile) -> float | None:
    """The source's average bitrate from its size and duration (None when either is unknown)."""
    if track.size <= 0 or track.duration <= 0:
        return None
    return track.size * 8 / track.duration / 1000


def choose(profile: Profile | None, track: SourceFile) -> Profile | None:
    """The profile to fetch `track` with, or None for the original (never a pointless transcode)."""
    if profile is None or track.container.lower() not in LOSSLESS_CONTAINERS:
        return None  # a lossy source is never re-encoded, whatever the target's bitrate
    kbps = source_kbps(track)
    if kbps is None or track.duration <= 0:
        return None  # no duration: a transcode could not be judged complete
    return profile if kbps > profile.kbps else None


def expected_size(profile: Profile | None, track: SourceFile) -> int:
    """The size of the copy `choose` would keep: the original's, or bitrate x duration."""
    chosen = choose(profile, track)
    return track.size if chosen is None else chosen.expected_size(track.duration)
