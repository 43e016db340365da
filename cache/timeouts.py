"""One bounded wait for the whole house, in place of `asyncio.wait_for`.

Python 3.11's `wait_for` swallows a cancel that arrives as the awaited thing finishes: it returns
the result, and the task goes on as if never cancelled (fixed in 3.12, gh-86296). A supervised
loop such as `while True: await wait_for(event.wait(), t)` then outlives the service's stop; seen
as "background task snapcast-control did not stop within 1 s" when a room's snapclient dying at the
stop woke the control just as it was cancelled. `asyncio.timeout` keeps the cancel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def within(awaitable: Awaitable[T], seconds: float | None) -> T:
    """`awaitable`'s result, or TimeoutError after `seconds` (None: no limit); a cancel of the
    caller always ends it with CancelledError."""
    async with asyncio.timeout(seconds):
        return await awaitable


async def woken(event: asyncio.Event, seconds: float | None) -> bool:
    """Wait for `event` at most `seconds`: True when it was set, False when the time ran out."""
    try:
        await within(event.wait(), seconds)
    except TimeoutError:
        return False
    return True
