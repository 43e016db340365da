"""The one Range form a player sends for a file it reads: `bytes=START-` or `bytes=START-END`."""

from __future__ import annotations

import re

_RANGE = re.compile(r"^bytes=(\d{1,15})-(\d{0,15})$")


class UnsatisfiableRangeError(ValueError):
    """The range is malformed, or starts at or after the end of the file (416)."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) of a file of `size` bytes that `header` asks for; None: the whole file (no
    header). Several ranges, suffix ranges and garbage are refused: mpv never sends them."""
    if header is None:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        raise UnsatisfiableRangeError(f"unsupported range {header[:64]!r}")
    start = int(match.group(1))
    end = int(match.group(2)) + 1 if match.group(2) else size
    if start >= size or end <= start:
        raise UnsatisfiableRangeError(f"range {start}- outside a file of {size} bytes")
    return start, min(end, size)
