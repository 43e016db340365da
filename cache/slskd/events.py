"""The tracker's configuration, its clock, and the hooks it reports through (the one DownloadEvent)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cache.downloads.models import Download, DownloadEvent

OnEvent = Callable[[DownloadEvent], None]
OnAwaitingLibrary = Callable[[Download], Awaitable[None]]
OnLanded = Callable[[Download, str], Awaitable[None]]
"""Called with the row and the landed file (relative to cache_dir) before the row is completed."""


@dataclass(frozen=True, slots=True)
class TrackerConfig:
    """Timings and policies of the tracker; every delay is a parameter so tests can scale time."""

    active_interval: float = 0.5  # seconds between polls while something is queued or downloading
    idle_interval: float = 5.0
    missing_polls_limit: int = 3  # consecutive successful polls without the transfer → failed
    max_retries: int = 2  # re-enqueues of a failed transfer before the download is failed
    cleanup_interval: float = 30.0
    bulk_cleanup: bool = False  # True: clear every finished transfer at slskd at once (only for
    # an slskd no one else uses); by default ours are removed one by one, never others'
    landing_attempts: int = 3  # polls to wait for a completed file to show up in downloads_dir
    downloads_dir: Path | None = None  # slskd's downloads directory as seen from here, if readable
    cache_dir: Path | None = None
    move_files: bool = False  # copy by default: slskd's folder may be someone's library
    progress_bytes: int = 1024 * 1024  # progress events: at most every MiB …
    progress_interval: float = 0.25  # … and at most 4 per second per download


class Clock(Protocol):
    """Monotonic time and sleeping, injectable so polling policies run on a controlled clock."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
