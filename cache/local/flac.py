"""A FLAC header reader for the scanner: STREAMINFO and the Vorbis comments, nothing else.

mutagen.File costs ~0.8 ms a file (it scores every format it knows, then parses every block);
this reads two small blocks and seeks over the rest (pictures, padding, seek tables), ~20x less,
which is what lets a first scan of 20,000 files approach MPD's speed. Anything unusual (an ID3
tag in front, a truncated block) returns None and the caller falls back to mutagen.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

_STREAMINFO, _VORBIS_COMMENT = 0, 4
_MAX_COMMENT = 1 << 20  # a comment block larger than this is left to mutagen


def read_flac_header(path: Path | str) -> tuple[dict[str, list[str]], float] | None:
    """(comments by lowercase key, duration in seconds) of a FLAC file; None when it is not a plain
    FLAC stream this reader is sure about."""
    with open(path, "rb") as f:
        if f.read(4) != b"fLaC":
            return None
        return _blocks(f)


def _blocks(f: BinaryIO) -> tuple[dict[str, list[str]], float] | None:
    duration: float | None = None
    comments: dict[str, list[str]] = {}
    last = False
    while not last:
        header = f.read(4)
        if len(header) < 4:
            return None
        last, kind = bool(header[0] & 0x80), header[0] & 0x7F
        length = int.from_bytes(header[1:], "big")
        if kind == _STREAMINFO:
            duration = _duration(f.read(length))
        elif kind == _VORBIS_COMMENT:
            if length > _MAX_COMMENT:
                return None
            parsed = _comments(f.read(length))
            if parsed is None:
                return None
            comments = parsed
        else:
            f.seek(length, 1)
    return (comments, duration) if duration is not None else None


def _duration(info: bytes) -> float | None:
    if len(info) < 18:
        return None
    packed = int.from_bytes(info[10:18], "big")
    rate, samples = packed >> 44, packed & ((1 << 36) - 1)
    return samples / rate if rate else None


def _comments(block: bytes) -> dict[str, list[str]] | None:
    """The comments of a VORBIS_COMMENT block (little-endian lengths, "KEY=value" in UTF-8)."""
    try:
        pos = 4 + int.from_bytes(block[:4], "little")
        count = int.from_bytes(block[pos : pos + 4], "little")
        pos += 4
        view: dict[str, list[str]] = {}
        for _ in range(count):
            size = int.from_bytes(block[pos : pos + 4], "little")
            entry = block[pos + 4 : pos + 4 + size].decode("utf-8", "replace")
            pos += 4 + size
            key, sep, value = entry.partition("=")
            if not sep or pos > len(block):
                return None
            view.setdefault(key.lower(), []).append(value)
    except IndexError:
        return None
    return view
