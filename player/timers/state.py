"""The sleep timer's state as every controller sees it (api.md's Timers), and its typed event."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol


class SleepMode(StrEnum):
    MINUTES = "minutes"
    END_OF_TRACK = "end_of_track"
    END_OF_QUEUE = "end_of_queue"


@dataclass(frozen=True, slots=True)
class SleepStatus:
    """`ends_at` is epoch seconds: a fixed time for minutes, the estimated end for the others."""

    mode: SleepMode | None = None
    ends_at: float | None = None

    @property
    def active(self) -> bool:
        return self.mode is not None

    def to_json(self) -> dict[str, Any]:
        """api.md's sleep object."""
        return {
            "active": self.active,
            "ends_at": iso_utc(self.ends_at) if self.ends_at is not None else None,
            "mode": str(self.mode) if self.mode is not None else None,
        }


@dataclass(frozen=True, slots=True)
class SleepChanged:
    """The timer was set, moved, cancelled or ran out (api.md's `{"type": "sleep"}`)."""

    status: SleepStatus


def iso_utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Clock(Protocol):
    """Wall time (the end time must survive a restart) and a way to wait on it."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class WallClock:
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def first_done(*waits: Awaitable[object], limit: float | None = None) -> None:
    """Until the first of `waits` is done (or `limit` real seconds); the others are cancelled.
    The timers wait this way on their clock and on a change at once."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, timeout=limit, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
