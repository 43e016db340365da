"""Bounded polling for tests: wait for a condition without ever asserting a wall-clock time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(condition: Callable[[], bool], *, tries: int = 500) -> None:
    """Poll `condition` every 10 ms, at most `tries` times; fail if it never holds."""
    for _ in range(tries):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never held")
