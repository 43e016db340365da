"""cache/timeouts.py: a bounded wait that never swallows a cancel (Python 3.11's wait_for does,
when the cancel comes just as the awaited thing finishes), and the house uses only it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from cache.timeouts import within, woken

ROOT = Path(__file__).resolve().parents[2]


async def _cancel_as_the_event_fires(wait: Callable[[asyncio.Event], Awaitable[object]]) -> bool:
    """A supervised loop waiting on an event is cancelled in the very step the event is set
    (as at a stop); whether the cancel ended it."""
    event = asyncio.Event()

    async def forever() -> None:
        while True:
            await wait(event)
            event.clear()

    task = asyncio.create_task(forever())
    await asyncio.sleep(0)  # it waits now
    event.set()
    task.cancel()
    await asyncio.wait({task}, timeout=1)
    ended = task.cancelled()
    if not ended:  # the bug: it runs on; stop it for good (nothing sets the event now)
        task.cancel()
        await asyncio.wait({task}, timeout=1)
    return ended


async def test_woken_keeps_a_cancel_that_comes_with_the_event() -> None:
    assert await _cancel_as_the_event_fires(lambda e: woken(e, 10))


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12's wait_for keeps the cancel")
async def test_wait_for_loses_it_on_this_python() -> None:
    # Why cache/timeouts.py exists: the same loop on asyncio.wait_for is not cancelled.
    assert not await _cancel_as_the_event_fires(lambda e: asyncio.wait_for(e.wait(), 10))


async def test_within_answers_or_times_out() -> None:
    assert await within(asyncio.sleep(0, result="done"), 1) == "done"
    with pytest.raises(TimeoutError):
        await within(asyncio.Event().wait(), 0.01)
    assert not await woken(asyncio.Event(), 0.01)


def test_the_house_never_calls_asyncio_wait_for() -> None:
    users = sorted(
        str(path.relative_to(ROOT))
        for package in ("player", "cache")
        for path in (ROOT / package).rglob("*.py")
        if "asyncio.wait_for(" in path.read_text(encoding="utf-8") and path.name != "timeouts.py"
    )
    assert not users, f"use cache.timeouts.within/woken instead of asyncio.wait_for: {users}"
