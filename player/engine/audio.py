"""Audio settings for the engine and the choice of mpv's audio output.

Kept free of python-mpv so config code and tests can use it without loading libmpv.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

log = logging.getLogger(__name__)

KIB = 1024
MIB = 1024 * KIB


class ReplayGainMode(StrEnum):
    OFF = "off"
    TRACK = "track"
    ALBUM = "album"


@dataclass(frozen=True, slots=True)
class AudioSettings:
    """How the engine makes sound.

    `output`: "auto" (the default device, or silence when the machine has no sound card),
    "null" (no sound), "pcm:/path/out.wav" (render to a WAV file, for tests) or an mpv
    audio-device name such as "alsa/hw:CARD=Headphones". The demuxer and cache sizes are small on
    purpose: a Pi has little memory and audio needs little read-ahead.
    """

    output: str = "auto"
    replaygain: ReplayGainMode = ReplayGainMode.OFF
    volume_max: int = 100
    demuxer_max_bytes: int = 2 * MIB
    demuxer_max_back_bytes: int = 256 * KIB
    cache: bool = True  # mpv's cache for network URLs (held within the demuxer limits)
    cache_secs: float = 30.0
    untimed: bool = False  # render as fast as possible (pcm / null outputs; tests)
    position_interval: float = 0.5  # fake engine: seconds between PositionChanged while playing
    position_step: float = 0.1  # mpv: a PositionChanged once the observed position moved this far
    # "RATE:16:CHANNELS": a pcm output writes headerless samples in that format (a snapserver
    # stream's sampleformat); empty: a WAV file in the source's own format.
    raw_format: str = ""

    def __post_init__(self) -> None:
        # StrEnum accepts the plain strings a config file holds; this also rejects bad ones.
        object.__setattr__(self, "replaygain", ReplayGainMode(self.replaygain))
        problems = [
            (bool(self.output), "output must not be empty"),
            (self.output != "pcm:", "pcm: output needs a file path"),
            (100 <= self.volume_max <= 1000, "volume_max must be 100..1000 (mpv's range)"),
            (self.demuxer_max_bytes > 0, "demuxer_max_bytes must be > 0"),
            (self.demuxer_max_back_bytes >= 0, "demuxer_max_back_bytes must be >= 0"),
            (self.cache_secs > 0, "cache_secs must be > 0"),
            (self.position_interval > 0, "position_interval must be > 0"),
            (self.position_step > 0, "position_step must be > 0"),
        ]
        bad = [message for ok, message in problems if not ok]
        if bad:
            raise ValueError("; ".join(bad))


def has_sound_card(root: Path = Path("/")) -> bool:
    """True when ALSA lists a card or /dev/snd holds a PCM device under `root`."""
    cards = root / "proc" / "asound" / "cards"
    try:
        lines = cards.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    # Card lines start with the card number; "--- no soundcards ---" does not.
    if any(line.strip()[:1].isdigit() for line in lines):
        return True
    snd = root / "dev" / "snd"
    try:
        return any(entry.name.startswith("pcm") for entry in snd.iterdir())
    except OSError:
        return False


def output_options(output: str, *, untimed: bool, probe_root: Path = Path("/")) -> dict[str, str]:
    """The mpv options that select `output`; logs one line when "auto" falls back to silence."""
    if output == "auto":
        if has_sound_card(probe_root):
            # A card that vanishes later (USB DAC unplugged) should not stop the queue.
            return {"audio-fallback-to-null": "yes"}
        log.warning(
            "no sound card found (/proc/asound/cards, /dev/snd): playing to mpv's null output"
        )
        return _null_options(untimed)
    if output == "null":
        return _null_options(untimed)
    if output.startswith("pcm:"):
        options = {"ao": "pcm", "ao-pcm-file": output.removeprefix("pcm:")}
        options["ao-pcm-waveheader"] = "yes"
        if untimed:
            options["untimed"] = "yes"
        return options
    return {"audio-device": output}


def _null_options(untimed: bool) -> dict[str, str]:
    return {"ao": "null", "ao-null-untimed": "yes" if untimed else "no"}


def mpv_options(settings: AudioSettings, *, probe_root: Path = Path("/")) -> dict[str, str]:
    """Every mpv option the engine sets: audio only, idle, gapless, small buffers, no input."""
    replaygain = "no" if settings.replaygain is ReplayGainMode.OFF else str(settings.replaygain)
    options = {
        "vid": "no",
        "video": "no",
        "audio-display": "no",
        "sub-auto": "no",
        "cover-art-auto": "no",
        "idle": "yes",
        "terminal": "no",
        "input-default-bindings": "no",
        "input-terminal": "no",
        "load-scripts": "no",
        "ytdl": "no",
        "config": "no",
        "gapless-audio": "yes",
        "prefetch-playlist": "yes",
        "replaygain": replaygain,
        "volume-max": str(settings.volume_max),
        "demuxer-max-bytes": str(settings.demuxer_max_bytes),
        "demuxer-max-back-bytes": str(settings.demuxer_max_back_bytes),
        "cache": "auto" if settings.cache else "no",
        "cache-secs": str(settings.cache_secs),
    }
    options.update(output_options(settings.output, untimed=settings.untimed, probe_root=probe_root))
    options.update(raw_format_options(settings.raw_format))
    return options


def raw_format_options(raw_format: str) -> dict[str, str]:
    """Every track converted to one fixed format, so snapserver's pipe reads a steady stream
    (the same format for every track also keeps mpv's gapless joins free of a re-open)."""
    if not raw_format:
        return {}
    rate, _bits, channels = raw_format.split(":")
    return {
        "ao-pcm-waveheader": "no",
        "audio-samplerate": rate,
        "audio-format": "s16",
        "audio-channels": "stereo" if channels == "2" else channels,
    }
