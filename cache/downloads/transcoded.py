"""What differs when the copy is a transcode: no Range, no length, judged by its decoded duration.

A server transcodes as it sends (Jellyfin: ffmpeg's output with `Accept-Ranges: none` and no
Content-Length), so a part file can never be resumed: every attempt starts from zero, and only the
audio itself can say the copy is whole. A copy whose decoded duration is more than a second short of
the item's (Jellyfin's RunTimeTicks) is thrown away and fetched again, never marked complete.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Protocol

from cache.downloads.transfer import ResponseInfo, TransientError
from cache.sources.base import DownloadRequest

TOLERANCE = 1.0  # seconds a complete copy may differ from the item's duration
# A transcode is audio, whatever the server: an answer of these types is an error document (a
# Subsonic server with no transcoder answers HTTP 200 with its error envelope).
NOT_AUDIO = ("text/", "application/json", "application/xml", "application/problem+json")


def refusing_documents(request: DownloadRequest) -> DownloadRequest:
    """The transcode request, with every non-audio answer taken for an error document."""
    kinds = tuple(dict.fromkeys((*request.error_types, *NOT_AUDIO)))
    return dataclasses.replace(request, error_types=kinds)


class Progress(Protocol):
    async def record_progress(self, done: int, total: int | None) -> None: ...


class TranscodeHooks:
    """Transfer hooks that never resume and never trust a length: the part is dropped on every
    answer (it can only be a prefix of some other ffmpeg run), and no size is enforced."""

    def __init__(self, part: Path, job: Progress, expected: int | None) -> None:
        self._part, self._job, self._expected = part, job, expected

    async def on_response(self, info: ResponseInfo) -> int | None:
        self._part.unlink(missing_ok=True)
        return None  # an estimated Content-Length (Subsonic's) is no promise of the final size

    async def on_progress(self, done: int, total: int | None) -> None:
        # progress against the expected size (bitrate x duration), below 100% until judged whole
        await self._job.record_progress(done, max(self._expected or 0, done * 100 // 99 + 1))


def decoded_duration(path: Path) -> float | None:
    """Seconds of audio in the file, as its decoder sees them (None: not a readable audio file)."""
    import mutagen  # only a device that transcodes pays for the import

    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError):
        return None
    info = getattr(audio, "info", None)
    length = getattr(info, "length", None)
    return float(length) if isinstance(length, int | float) else None


async def check_duration(part: Path, expected: float) -> None:
    """Raise TransientError (after deleting the part) unless it holds `expected` seconds, +-1 s."""
    actual = await asyncio.to_thread(decoded_duration, part)
    if actual is not None and abs(actual - expected) <= TOLERANCE:
        return
    await asyncio.to_thread(part.unlink, missing_ok=True)
    heard = "no readable audio" if actual is None else f"{actual:.1f} s of audio"
    raise TransientError(
        f"the transcoded copy is incomplete ({heard}, the item is {expected:.1f} s); starting over"
    )
