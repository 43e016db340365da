"""A wall clock a test moves by hand, for the timers (sleep timer, alarms) on a real service."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class SteppedClock:
    """Wall time that moves only when the test says; a sleep waits until the time it asks for
    has come (or returns at once when that time has already passed)."""

    def __init__(self, now: float) -> None:
        self.t = now
        self.sleeps = 0  # how many waits began: a loop that waits has done its pass
        self._moved = asyncio.Event()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        deadline = self.t + seconds
        while self.t < deadline:
            self._moved.clear()
            await self._moved.wait()

    async def advance(self, seconds: float, step: float = 1.0) -> None:
        """Move on by `seconds` in `step`s, letting the loop run between steps."""
        end = self.t + seconds
        while self.t < end:
            self.t = min(end, self.t + step)
            self._moved.set()
            await asyncio.sleep(0.005)

    async def advance_until(
        self, condition: Callable[[], bool], step: float = 1.0, *, limit: float = 3600.0
    ) -> None:
        """Move on `step` by `step` until `condition` holds; fail past `limit` seconds."""
        end = self.t + limit
        while not condition():
            if self.t >= end:
                raise AssertionError("condition never held on the clock")
            await self.advance(step, step)
            await asyncio.sleep(0.02)
